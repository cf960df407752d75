// The live event stream (GET /api/events, server-sent events), shared by every page: one
// EventSource for the whole console, reopened when the admin token changes.
//   event: call  data = a call summary (call started, changed node, finished a turn, ended)
//   event: turn  data = {callSid, turn}  (a finished transcript turn)

import {onTokenChange, urlWithToken} from "./api.js";

const handlers = {call: new Set(), turn: new Set(), state: new Set()};
let source = null;
let connected = false;

function open() {
  source?.close();
  source = new EventSource(urlWithToken("/api/events"));
  source.addEventListener("open", () => setConnected(true));
  source.addEventListener("error", () => setConnected(false)); // EventSource retries by itself
  for (const kind of ["call", "turn"]) {
    source.addEventListener(kind, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        console.warn(`events: ignored a ${kind} event that is not JSON`);
        return;
      }
      handlers[kind].forEach((fn) => fn(data));
    });
  }
}

function setConnected(value) {
  if (value === connected) return;
  connected = value;
  handlers.state.forEach((fn) => fn(connected));
}

/** Starts the stream (once). */
export function startEvents() {
  if (source) return;
  open();
  onTokenChange(open);
  // EventSource retries dropped connections itself, but gives up after an HTTP error (e.g. 401
  // while the server restarts behind a proxy): try again now and then.
  setInterval(() => {
    if (source.readyState === EventSource.CLOSED) open();
  }, 10000);
  // a page left for another may be kept (back-forward cache) with its stream open, and a browser
  // allows only six connections per server: close it on the way out, reopen it on the way back
  window.addEventListener("pagehide", () => {
    source.close();
    setConnected(false);
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) open();
  });
}

/** Subscribes to "call", "turn" or "state" (connected true/false); returns an unsubscribe function. */
export function on(kind, fn) {
  handlers[kind].add(fn);
  return () => handlers[kind].delete(fn);
}

/** Whether the stream is open now. */
export function isConnected() {
  return connected;
}
