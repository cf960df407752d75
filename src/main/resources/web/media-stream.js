// The softphone's WebSocket to /softphone, speaking Twilio's Media Streams protocol from Twilio's
// side (protocols.md section 1): connected, start, media, dtmf, mark echoes and stop go out;
// media, mark and clear come in. One extra message carries a typed caller turn:
// {"event":"text","streamSid":"MZ..","text":"..."}.

import {fromBase64, toBase64} from "./mulaw.js";

/** "CA" + 32 hex characters style ids (the browser makes up the call's and the stream's sid). */
export function makeSid(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class MediaStream {
  /**
   * @param url       the ws(s) URL, with ?flow= and ?token=
   * @param flow      the flow to call
   * @param handlers  {onOpen(), onMedia(bytes), onMark(name), onClear(), onClose(code, reason)}
   */
  constructor(url, flow, handlers) {
    this.callSid = makeSid("SP");
    this.streamSid = makeSid("MZ");
    this.flow = flow;
    this.handlers = handlers;
    this.sequence = 0;
    this.chunk = 0;
    this.startedAt = 0;
    this.stopped = false;
    this.opened = false;
    this.socket = new WebSocket(url);
    this.socket.addEventListener("open", () => this.start());
    this.socket.addEventListener("message", (e) => this.receive(e.data));
    this.socket.addEventListener("close", (e) => handlers.onClose?.(e.code, e.reason));
  }

  get open() {
    return this.socket.readyState === WebSocket.OPEN && !this.stopped;
  }

  start() {
    this.opened = true;
    this.socket.send(JSON.stringify({event: "connected", protocol: "Call", version: "1.0.0"}));
    this.startedAt = performance.now();
    this.send({
      event: "start",
      start: {
        accountSid: "softphone",
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ["inbound"],
        customParameters: {from: "softphone", to: "softphone", flow: this.flow},
        mediaFormat: {encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1},
      },
    });
    this.handlers.onOpen?.();
  }

  /** Sends a message with the next sequence number and the stream sid. */
  send(message) {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.sequence++;
    this.socket.send(JSON.stringify({event: message.event, sequenceNumber: String(this.sequence),
                                     streamSid: this.streamSid, ...message}));
    return true;
  }

  /** One 20 ms frame of caller audio (160 mu-law bytes). */
  sendMedia(bytes) {
    if (!this.open) return;
    this.chunk++;
    const timestamp = Math.round(performance.now() - this.startedAt);
    this.send({event: "media", media: {track: "inbound", chunk: String(this.chunk), timestamp: String(timestamp),
                                       payload: toBase64(bytes)}});
  }

  sendDtmf(digit) {
    if (this.open) this.send({event: "dtmf", dtmf: {track: "inbound_track", digit}});
  }

  /** Echoes a mark: playback reached it (or a clear dropped the audio before it). */
  sendMark(name) {
    if (this.open) this.send({event: "mark", mark: {name}});
  }

  /** A typed caller turn (not part of Twilio's protocol; bypasses speech-to-text). */
  sendText(text) {
    if (!this.open) return false;
    this.socket.send(JSON.stringify({event: "text", streamSid: this.streamSid, text}));
    return true;
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  stop() {
    if (this.stopped) return;
    this.send({event: "stop", stop: {accountSid: "softphone", callSid: this.callSid}});
    this.stopped = true;
    this.socket.close(1000, "caller hung up");
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn("softphone: ignored a message that is not JSON");
      return;
    }
    switch (message.event) {
      case "media":
        try {
          this.handlers.onMedia?.(fromBase64(message.media?.payload ?? ""));
        } catch {
          console.warn("softphone: ignored media whose payload is not base64");
        }
        break;
      case "mark":
        this.handlers.onMark?.(message.mark?.name ?? "");
        break;
      case "clear":
        this.handlers.onClear?.();
        break;
      default:
        console.warn(`softphone: ignored unknown event '${message.event}'`);
    }
  }
}
