// AudioWorklet processor for agent audio: Twilio's playback queue, in the browser. Audio (8 kHz
// samples) and marks are queued in order; audio plays in real time, a mark is reported when
// playback reaches it (at once when nothing is queued before it), and `clear` empties the queue
// and reports every pending mark at once. Runs on the audio rendering thread.

import {Upsampler} from "./mulaw.js";

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.upsampler = new Upsampler(8000, sampleRate);
    this.queue = []; // {samples, offset} | {mark}
    this.playing = false;
    this.port.onmessage = (e) => this.receive(e.data);
  }

  receive(message) {
    switch (message.type) {
      case "audio":
        this.queue.push({samples: this.upsampler.push(message.samples), offset: 0});
        break;
      case "mark":
        this.queue.push({mark: message.name});
        break;
      case "clear": {
        const marks = this.queue.filter((item) => item.mark !== undefined).map((item) => item.mark);
        this.queue = [];
        this.port.postMessage({type: "cleared", marks});
        this.setPlaying(false);
        break;
      }
    }
  }

  setPlaying(playing) {
    if (playing !== this.playing) {
      this.playing = playing;
      this.port.postMessage({type: "playing", playing});
    }
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    let written = 0;
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.mark !== undefined) {
        this.port.postMessage({type: "mark", name: head.mark});
        this.queue.shift();
        continue;
      }
      if (written === out.length) break;
      const n = Math.min(out.length - written, head.samples.length - head.offset);
      out.set(head.samples.subarray(head.offset, head.offset + n), written);
      written += n;
      head.offset += n;
      if (head.offset === head.samples.length) this.queue.shift();
    }
    out.fill(0, written);
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    this.setPlaying(written > 0);
    return true;
  }
}

registerProcessor("dialtone-playback", PlaybackProcessor);
