// One softphone call: the microphone (getUserMedia -> capture worklet -> mu-law frames) feeding a
// Media Streams socket, and agent audio from it played through the playback worklet, whose mark
// reports become mark echoes. The page (softphone.js) drives it and shows what it reports.

import {socketScheme, urlWithToken} from "./api.js";
import {MediaStream} from "./media-stream.js";
import {decode} from "./mulaw.js";

export class Phone {
  /**
   * @param flow    the flow's name
   * @param events  {onState(text), onLevel(rms), onAgentPlaying(bool), onEnded(reason)}
   */
  constructor(flow, events) {
    this.flow = flow;
    this.events = events;
    this.stream = null;
    this.context = null;
    this.microphone = null;
    this.capture = null;
    this.playback = null;
    this.ended = false;
    this.muted = false;
    this.stats = {framesSent: 0, mediaReceived: 0, marksEchoed: 0, clears: 0, dtmfSent: 0, textsSent: 0};
  }

  /** Sets up audio (asks for the microphone), then opens the stream. */
  async call() {
    if (!window.isSecureContext) {
      // browsers offer the microphone and audio worklets only to https pages (and localhost)
      throw new Error("the softphone needs the console over https (or on localhost)");
    }
    this.context = new AudioContext({latencyHint: "interactive"});
    await this.context.audioWorklet.addModule("capture-worklet.js");
    await this.context.audioWorklet.addModule("playback-worklet.js");
    await this.context.resume();

    this.playback = new AudioWorkletNode(this.context, "dialtone-playback", {outputChannelCount: [1]});
    this.playback.connect(this.context.destination);
    this.playback.port.onmessage = (e) => this.playbackReport(e.data);

    this.capture = new AudioWorkletNode(this.context, "dialtone-capture", {numberOfInputs: 1, numberOfOutputs: 0});
    this.capture.port.postMessage({type: "mute", muted: this.muted});
    this.capture.port.onmessage = (e) => {
      if (e.data.type !== "frame") return;
      this.events.onLevel?.(e.data.level);
      if (this.stream?.open) {
        this.stream.sendMedia(e.data.bytes);
        this.stats.framesSent++;
      }
    };
    try {
      this.microphone = await navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: true}});
      this.context.createMediaStreamSource(this.microphone).connect(this.capture);
    } catch (e) {
      // The call still works: silence is streamed (as Twilio does) and typed turns reach the agent.
      this.events.onState?.(`No microphone (${e.message}): streaming silence; type your turns instead`);
    }
    if (this.ended) return; // hung up while the microphone prompt was open

    const url = urlWithToken("/softphone", {flow: this.flow}, socketScheme());
    this.stream = new MediaStream(url, this.flow, {
      onOpen: () => this.events.onState?.(`Connected to ${this.flow}`),
      onMedia: (bytes) => {
        this.stats.mediaReceived++;
        const samples = decode(bytes);
        this.playback.port.postMessage({type: "audio", samples}, [samples.buffer]);
      },
      onMark: (name) => this.playback.port.postMessage({type: "mark", name}),
      onClear: () => {
        this.stats.clears++;
        this.playback.port.postMessage({type: "clear"});
      },
      onClose: (code, reason) => this.finish(!this.stream.opened ? "the server refused the call: check the admin token"
                                             : code === 1000 || code === 1005 ? "call ended" : `closed: ${code} ${reason}`.trim()),
    });
  }

  get callSid() {
    return this.stream?.callSid ?? null;
  }

  playbackReport(report) {
    switch (report.type) {
      case "mark":
        this.echo(report.name);
        break;
      case "cleared":
        report.marks.forEach((name) => this.echo(name));
        this.events.onAgentPlaying?.(false);
        break;
      case "playing":
        this.events.onAgentPlaying?.(report.playing);
        break;
    }
  }

  echo(name) {
    this.stream?.sendMark(name);
    this.stats.marksEchoed++;
  }

  dtmf(digit) {
    this.stream?.sendDtmf(digit);
    this.stats.dtmfSent++;
  }

  /** Sends a typed caller turn; false when the call is not connected. */
  say(text) {
    const sent = this.stream?.sendText(text) ?? false;
    if (sent) this.stats.textsSent++;
    return sent;
  }

  /** Streams silence instead of the microphone (also when set before the call starts). */
  mute(muted) {
    this.muted = muted;
    this.capture?.port.postMessage({type: "mute", muted});
  }

  /** The caller hangs up. */
  hangUp() {
    this.stream?.stop();
    this.finish("you hung up");
  }

  finish(reason) {
    if (this.ended) return;
    this.ended = true;
    this.microphone?.getTracks().forEach((t) => t.stop());
    this.context?.close();
    this.events.onEnded?.(reason);
  }
}
