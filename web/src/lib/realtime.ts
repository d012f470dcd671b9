// Client of the realtime API (docs/REALTIME.md): one WebSocket to
// /api/realtime carrying any number of subscriptions. Each subscription gets a
// snapshot, then changes in seq order; after a disconnect the client
// reconnects with backoff and resubscribes with `fromSeq` = the last seq it saw
// for that subscription, so it gets `resumed` + the missed changes, or a
// snapshot with `resync: true`. Every (re)connect first gets a fresh ticket
// (POST /api/tickets, valid 60 s) and opens `/api/realtime?ticket=…`: a
// browser cannot send the session's headers on a WebSocket, and the ticket
// names the workspace the dashboard acts in.
import { useEffect, useRef, useState } from "react";
import { ticket } from "./api";

export interface RealtimeMessage {
  seq: number;
  type: "snapshot" | "change" | "resumed" | "unsubscribed" | "error";
  id: string | null;
  data?: unknown;
  resync?: boolean;
  message?: string;
  field?: string;
}

export type Listener = (msg: RealtimeMessage) => void;

interface Sub {
  query: string;
  args: Record<string, unknown>;
  listener: Listener;
  lastSeq?: number;
}

export type ConnectionState = "connecting" | "open" | "closed";

class RealtimeClient {
  private ws: WebSocket | null = null;
  private subs = new Map<string, Sub>();
  private nextId = 1;
  private retry = 0;
  private timer: number | undefined;
  /** A ticket request is on its way (counts as connecting). */
  private opening = false;
  /** Bumped by restart(): a ticket that arrives for an older generation is dropped. */
  private generation = 0;
  private stateListeners = new Set<(s: ConnectionState) => void>();
  state: ConnectionState = "closed";

  subscribe(query: string, args: Record<string, unknown>, listener: Listener): () => void {
    const id = `s${this.nextId++}`;
    this.subs.set(id, { query, args, listener });
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.send(id);
    else this.connect();
    return () => {
      this.subs.delete(id);
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "unsubscribe", id }));
    };
  }

  onState(fn: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  private setState(s: ConnectionState) {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private send(id: string) {
    const s = this.subs.get(id);
    if (!s || !this.ws) return;
    const msg: Record<string, unknown> = { type: "subscribe", id, query: s.query, args: s.args };
    if (s.lastSeq !== undefined) msg.fromSeq = s.lastSeq;
    this.ws.send(JSON.stringify(msg));
  }

  /**
   * Drops the connection and every subscription's position (the workspace
   * changed: the old socket's feed is another workspace's), then reconnects
   * if anything is subscribed.
   */
  restart() {
    this.generation++;
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    this.opening = false;
    this.retry = 0;
    const old = this.ws;
    this.ws = null;
    if (old) {
      old.onclose = null;
      old.onmessage = null;
      old.close();
      this.setState("closed");
    }
    for (const s of this.subs.values()) s.lastSeq = undefined;
    if (this.subs.size > 0) this.connect();
  }

  private scheduleReconnect() {
    if (this.subs.size === 0) return;
    const delay = Math.min(10000, 500 * 2 ** this.retry++);
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      if (this.subs.size > 0) this.connect();
    }, delay);
  }

  private connect() {
    if (this.ws || this.opening || this.timer !== undefined) return;
    this.opening = true;
    this.setState("connecting");
    const gen = this.generation;
    ticket("/api/realtime").then(
      (t) => {
        if (gen !== this.generation) return;
        this.opening = false;
        this.open(t);
      },
      () => {
        // Not signed in any more (the shell goes to /login) or the server is away: retry with backoff.
        if (gen !== this.generation) return;
        this.opening = false;
        this.setState("closed");
        this.scheduleReconnect();
      },
    );
  }

  private open(t: string) {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/api/realtime?ticket=${encodeURIComponent(t)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.setState("open");
      for (const id of this.subs.keys()) this.send(id);
    };
    ws.onmessage = (ev) => {
      let msg: RealtimeMessage;
      try {
        msg = JSON.parse(ev.data as string);
      } catch {
        return;
      }
      if (!msg.id) return;
      const s = this.subs.get(msg.id);
      if (!s) return;
      if (msg.type !== "error") s.lastSeq = msg.seq;
      s.listener(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState("closed");
      this.scheduleReconnect();
    };
  }
}

export const realtime = new RealtimeClient();

/**
 * Subscribes to a realtime query while the component is mounted. `reduce`
 * folds snapshots and changes into the state (it receives the previous state,
 * or `initial` on a snapshot when `resetOnSnapshot`).
 * Pass `args === null` to stay unsubscribed (e.g. while an id is unknown).
 */
export function useRealtime<S>(
  query: string,
  args: Record<string, unknown> | null,
  initial: S,
  reduce: (state: S, msg: RealtimeMessage) => S,
): { state: S; error: string | null; connected: boolean; loaded: boolean } {
  const [state, setState] = useState<S>(initial);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [connected, setConnected] = useState(realtime.state === "open");
  const reduceRef = useRef(reduce);
  reduceRef.current = reduce;
  const key = args === null ? null : JSON.stringify(args);
  useEffect(() => realtime.onState((s) => setConnected(s === "open")), []);
  useEffect(() => {
    if (key === null) return;
    setLoaded(false);
    setError(null);
    return realtime.subscribe(query, JSON.parse(key), (msg) => {
      if (msg.type === "error") {
        setError(msg.message ?? "subscription failed");
        setLoaded(true);
        return;
      }
      if (msg.type === "snapshot") setLoaded(true);
      setState((s) => reduceRef.current(s, msg));
    });
  }, [query, key]);
  return { state, error, connected, loaded };
}
