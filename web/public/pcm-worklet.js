// AudioWorklet of the live monitor's "Join with microphone" (web/src/pages/live/audio.ts):
// turns the microphone's float samples at the context's rate into 16-bit
// little-endian mono PCM at 16 kHz, posted as Int16Array frames of 320
// samples (20 ms) to the main thread, which sends them on the call's
// audio WebSocket (docs/REALTIME.md "Supervisor audio").
const TARGET_RATE = 16000;
const FRAME = 320;

class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE; // input samples per output sample
    this.pos = 0; // position of the next output sample, in input samples from the start of `prev`
    this.prev = 0; // the last input sample of the previous block (for interpolation across blocks)
    this.frame = new Int16Array(FRAME);
    this.fill = 0;
    // Anti-aliasing before decimation: a moving average over `width` input
    // samples (its first null falls at the target rate).
    this.width = Math.max(1, Math.round(this.step));
    this.history = new Float32Array(this.width);
    this.hpos = 0;
    this.sum = 0;
  }

  push(v) {
    const s = Math.max(-1, Math.min(1, v));
    this.frame[this.fill++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    if (this.fill === FRAME) {
      this.port.postMessage(this.frame, [this.frame.buffer]);
      this.frame = new Int16Array(FRAME);
      this.fill = 0;
    }
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const n = channels[0].length;
    // Mono: the average of the input channels.
    const mono = new Float32Array(n);
    for (const ch of channels) for (let i = 0; i < n; i++) mono[i] += ch[i] / channels.length;
    if (this.width > 1) {
      for (let i = 0; i < n; i++) {
        this.sum += mono[i] - this.history[this.hpos];
        this.history[this.hpos] = mono[i];
        this.hpos = (this.hpos + 1) % this.width;
        mono[i] = this.sum / this.width;
      }
    }
    if (this.step === 1) {
      for (let i = 0; i < n; i++) this.push(mono[i]);
      return true;
    }
    // Linear interpolation over [prev, mono[0], …, mono[n-1]] (index 0 = prev).
    while (this.pos < n) {
      const i = Math.floor(this.pos);
      const f = this.pos - i;
      const a = i === 0 ? this.prev : mono[i - 1];
      const b = mono[i];
      this.push(a + (b - a) * f);
      this.pos += this.step;
    }
    this.pos -= n;
    this.prev = mono[n - 1];
    return true;
  }
}

registerProcessor("voqo-pcm-capture", PcmCapture);
