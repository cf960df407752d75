// G.711 mu-law codec and the 8 kHz resampling the softphone needs (protocols.md section 9).
// Shared by the capture worklet (encoding the microphone) and the page (decoding agent audio).

const BIAS = 0x84;
const CLIP = 32635;
const DECODE_BASE = [0, 132, 396, 924, 1980, 4092, 8316, 16764];

/** Encodes one 16-bit sample (an integer in -32768..32767) to a mu-law byte. */
export function encodeSample(sample) {
  let s = sample | 0;
  const sign = (s >> 8) & 0x80;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Decodes one mu-law byte to a 16-bit sample. */
export function decodeSample(byte) {
  const u = ~byte & 0xff;
  const magnitude = DECODE_BASE[(u >> 4) & 7] + ((u & 0x0f) << (((u >> 4) & 7) + 3));
  return u & 0x80 ? -magnitude : magnitude;
}

/** Encodes floats in -1..1 to mu-law bytes. */
export function encode(floats) {
  const out = new Uint8Array(floats.length);
  for (let i = 0; i < floats.length; i++) {
    const clamped = Math.max(-1, Math.min(1, floats[i]));
    out[i] = encodeSample(Math.round(clamped * 32767));
  }
  return out;
}

/** Decodes mu-law bytes to floats in -1..1. */
export function decode(bytes) {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = decodeSample(bytes[i]) / 32768;
  return out;
}

/** Base64 of bytes (the Media Streams payload encoding). */
export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/** Bytes of a base64 string; throws on input that is not base64. */
export function fromBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A Hamming-windowed sinc low-pass kernel: `taps` (odd) coefficients, cutoff in cycles per sample. */
function lowPass(taps, cutoff) {
  const kernel = new Float32Array(taps);
  const middle = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - middle;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    kernel[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1)));
    sum += kernel[i];
  }
  return kernel.map((k) => k / sum); // unity gain at 0 Hz
}

/**
 * Streaming downsampler from the audio context's rate to a lower one (8 kHz for the phone): a
 * low-pass FIR just under the new Nyquist frequency (so 4-24 kHz content does not fold back
 * into the call as noise), then linear interpolation at the output instants. It carries its
 * filter history and position across blocks, so block edges add no clicks.
 */
export class Downsampler {
  constructor(inputRate, outputRate) {
    if (outputRate > inputRate) throw new Error(`cannot upsample ${inputRate} Hz to ${outputRate} Hz`);
    this.step = inputRate / outputRate; // input samples per output sample
    const taps = 2 * Math.round((127 * inputRate) / 48000 / 2) + 1; // ~1.2 kHz transition band at any rate
    this.kernel = lowPass(taps, (0.44 * outputRate) / inputRate); // 3.5 kHz for 8 kHz output
    this.history = new Float32Array(taps * 2); // the last `taps` inputs, written twice to avoid wrapping
    this.at = 0;
    this.next = 0; // position of the next output sample, in input samples from the block start
    this.previous = 0; // the last filtered sample of the previous block
  }

  filter(sample) {
    const taps = this.kernel.length;
    this.history[this.at] = sample;
    this.history[this.at + taps] = sample;
    this.at = (this.at + 1) % taps;
    let y = 0;
    for (let k = 0; k < taps; k++) y += this.kernel[k] * this.history[this.at + k];
    return y;
  }

  /** Feeds a block of input samples; returns the output samples it completed. */
  push(input) {
    const out = [];
    for (let i = 0; i < input.length; i++) {
      const y = this.filter(input[i]);
      while (this.next <= i) {
        const fraction = this.next - (i - 1); // between the previous filtered sample and this one
        out.push(this.previous + (y - this.previous) * fraction);
        this.next += this.step;
      }
      this.previous = y;
    }
    this.next -= input.length;
    return Float32Array.from(out);
  }
}

/**
 * Streaming linear-interpolation upsampler (8 kHz agent audio to the context's rate). Keeps the
 * last input sample and the fractional position between calls.
 */
export class Upsampler {
  constructor(inputRate, outputRate) {
    this.step = inputRate / outputRate; // input samples per output sample (< 1)
    this.phase = 0;
    this.previous = 0;
  }

  /** Resamples a block; the output length depends on the carried phase. */
  push(input) {
    const out = [];
    let phase = this.phase;
    let previous = this.previous;
    for (let i = 0; i < input.length; i++) {
      const current = input[i];
      while (phase < 1) {
        out.push(previous + (current - previous) * phase);
        phase += this.step;
      }
      phase -= 1;
      previous = current;
    }
    this.phase = phase;
    this.previous = previous;
    return Float32Array.from(out);
  }
}
