// "Join with microphone" (JOIN_CALL): the supervisor's audio leg over
// WebSocket /api/live-calls/{id}/audio — binary frames of 16-bit LE mono PCM
// at 16 kHz both ways (docs/REALTIME.md "Supervisor audio").
//   microphone → AudioContext (16 kHz when the browser allows, else the
//   worklet resamples) → AudioWorklet /pcm-worklet.js → 320-sample frames →
//   socket; socket frames → AudioBuffers played back to back.
// The socket authenticates with a fresh ticket (POST /api/tickets for exactly
// this call's audio path, valid 60 s): a WebSocket cannot carry headers.
import { useCallback, useEffect, useRef, useState } from "react";
import { withTicket } from "../../lib/api";

const RATE = 16000;
/** Longest backlog of call audio kept ahead of the playhead; beyond it we skip ahead (latency bound). */
const MAX_AHEAD_S = 0.4;
/** Lead before the first frame of a burst plays (absorbs network jitter). */
const LEAD_S = 0.06;

export type AudioState = "idle" | "starting" | "live" | "error";

export interface SupervisorAudio {
  state: AudioState;
  error: string | null;
  /** Frames received from / sent to the call. */
  received: number;
  sent: number;
  /** Level (0–100) of the call audio heard recently. */
  level: number;
  join: () => Promise<void>;
  leave: () => void;
}

/** A readable message for getUserMedia's and the audio pipeline's failures. */
export function micError(e: unknown): string {
  const name = (e as { name?: string })?.name ?? "";
  const msg = (e as Error)?.message ?? String(e);
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Microphone permission was denied. Allow this site to use the microphone (the icon in the address bar) and try again.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No microphone was found. Connect one and try again.";
    case "NotReadableError":
    case "AbortError":
      return "The microphone could not be started: another application may be using it.";
    default:
      return `Could not start the microphone: ${msg}`;
  }
}

interface Leg {
  ws: WebSocket;
  ctx: AudioContext;
  stream: MediaStream;
  node: AudioWorkletNode;
  nextAt: number;
  opened: boolean;
}

/** `onOpen` runs when the audio leg is up (the panel records JOIN_CALL then). */
export function useSupervisorAudio(callId: string, onOpen?: () => void): SupervisorAudio {
  const onOpenRef = useRef(onOpen);
  onOpenRef.current = onOpen;
  const [state, setState] = useState<AudioState>("idle");
  const [error, setError] = useState<string | null>(null);
  const [counts, setCounts] = useState({ received: 0, sent: 0, level: 0 });
  const leg = useRef<Leg | null>(null);
  const stats = useRef({ received: 0, sent: 0, peak: 0 });

  const teardown = useCallback(() => {
    const l = leg.current;
    leg.current = null;
    if (!l) return;
    l.node.port.onmessage = null;
    l.node.disconnect();
    l.stream.getTracks().forEach((t) => t.stop());
    if (l.ws.readyState === WebSocket.OPEN || l.ws.readyState === WebSocket.CONNECTING) l.ws.close(1000, "supervisor left");
    void l.ctx.close().catch(() => undefined);
  }, []);

  const leave = useCallback(() => {
    teardown();
    setState("idle");
  }, [teardown]);

  const fail = useCallback(
    (message: string) => {
      teardown();
      setError(message);
      setState("error");
    },
    [teardown],
  );

  const join = useCallback(async () => {
    if (leg.current) return;
    setError(null);
    setState("starting");
    stats.current = { received: 0, sent: 0, peak: 0 };
    setCounts({ received: 0, sent: 0, level: 0 });
    if (!navigator.mediaDevices?.getUserMedia) {
      fail("This browser cannot use a microphone here: the dashboard must be opened over https or on localhost.");
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (e) {
      fail(micError(e));
      return;
    }
    let ctx: AudioContext;
    let source: MediaStreamAudioSourceNode;
    try {
      // Ask for 16 kHz; some browsers refuse the rate or refuse to connect a
      // microphone at another rate: then run at the device's rate and let the
      // worklet resample.
      try {
        ctx = new AudioContext({ sampleRate: RATE, latencyHint: "interactive" });
        source = ctx.createMediaStreamSource(stream);
      } catch {
        ctx = new AudioContext({ latencyHint: "interactive" });
        source = ctx.createMediaStreamSource(stream);
      }
      if (!ctx.audioWorklet) throw new Error("this browser has no AudioWorklet");
      await ctx.audioWorklet.addModule(`${import.meta.env.BASE_URL}pcm-worklet.js`);
    } catch (e) {
      stream.getTracks().forEach((t) => t.stop());
      setError(`Could not start audio processing: ${(e as Error).message}`);
      setState("error");
      return;
    }
    const node = new AudioWorkletNode(ctx, "voqo-pcm-capture", { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
    const mute = ctx.createGain();
    mute.gain.value = 0; // keeps the worklet pulled by the graph without echoing the microphone
    source.connect(node).connect(mute).connect(ctx.destination);

    let path: string;
    try {
      path = await withTicket(`/api/live-calls/${encodeURIComponent(callId)}/audio`);
    } catch (e) {
      stream.getTracks().forEach((t) => t.stop());
      void ctx.close();
      setError(`Could not join the call's audio: ${(e as Error).message}`);
      setState("error");
      return;
    }
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}${path}`);
    ws.binaryType = "arraybuffer";
    const l: Leg = { ws, ctx, stream, node, nextAt: 0, opened: false };
    leg.current = l;

    node.port.onmessage = (ev: MessageEvent<Int16Array>) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(ev.data.buffer);
      stats.current.sent++;
    };
    ws.onopen = () => {
      l.opened = true;
      setState("live");
      onOpenRef.current?.();
      void ctx.resume();
    };
    ws.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer) || ev.data.byteLength < 2) return;
      const pcm = new Int16Array(ev.data, 0, ev.data.byteLength >> 1);
      const buf = ctx.createBuffer(1, pcm.length, RATE);
      const out = buf.getChannelData(0);
      let peak = 0;
      for (let i = 0; i < pcm.length; i++) {
        const v = pcm[i] / 32768;
        out[i] = v;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
      }
      stats.current.received++;
      stats.current.peak = Math.max(stats.current.peak, peak);
      const now = ctx.currentTime;
      if (l.nextAt < now) l.nextAt = now + LEAD_S; // a gap (or the start): begin after a short lead
      if (l.nextAt - now > MAX_AHEAD_S) return; // too far behind real time: drop this frame
      const src = ctx.createBufferSource();
      src.buffer = buf;
      src.connect(ctx.destination);
      src.start(l.nextAt);
      l.nextAt += buf.duration;
    };
    ws.onerror = () => {
      /* onclose follows with the code */
    };
    ws.onclose = (ev) => {
      if (leg.current !== l) return; // we left
      const normal = ev.code === 1000 || ev.code === 1001;
      teardown();
      setState(normal ? "idle" : "error");
      setError(
        normal
          ? "The call's audio ended."
          : !l.opened && ev.code === 1006
            ? "Could not connect to the call's audio (has the call ended?)."
            : `The audio connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""}).`,
      );
    };
  }, [callId, fail, teardown]);

  // The counters shown on screen, refreshed 4 times a second while live.
  useEffect(() => {
    if (state !== "live") return;
    const t = window.setInterval(() => {
      const s = stats.current;
      setCounts({ received: s.received, sent: s.sent, level: Math.round(Math.min(1, s.peak * 1.5) * 100) });
      s.peak = 0;
    }, 250);
    return () => window.clearInterval(t);
  }, [state]);

  useEffect(() => teardown, [teardown]);

  return { state, error, received: counts.received, sent: counts.sent, level: counts.level, join, leave };
}
