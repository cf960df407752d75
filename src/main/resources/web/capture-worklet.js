// AudioWorklet processor for the softphone microphone: downsamples the context's rate to 8 kHz,
// encodes G.711 mu-law and posts one 160-byte frame (20 ms) at a time to the page, which sends
// each as a Media Streams `media` message. Runs on the audio rendering thread.

import {Downsampler, encode} from "./mulaw.js";

const FRAME = 160; // 20 ms at 8 kHz

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.downsampler = new Downsampler(sampleRate, 8000);
    this.pending = new Float32Array(FRAME);
    this.filled = 0;
    this.muted = false;
    this.port.onmessage = (e) => {
      if (e.data?.type === "mute") this.muted = Boolean(e.data.muted);
    };
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    // No input connected yet still advances the clock: Twilio streams silence too.
    const block = channel ?? new Float32Array(128);
    const samples = this.downsampler.push(block);
    for (let i = 0; i < samples.length; i++) {
      this.pending[this.filled++] = this.muted ? 0 : samples[i];
      if (this.filled === FRAME) {
        const bytes = encode(this.pending);
        let sum = 0;
        for (let j = 0; j < FRAME; j++) sum += this.pending[j] * this.pending[j];
        this.port.postMessage({type: "frame", bytes, level: Math.sqrt(sum / FRAME)}, [bytes.buffer]);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor("dialtone-capture", CaptureProcessor);
