// The Softphone page: pick a flow and call it from the browser (microphone and speaker through
// phone.js), press keypad digits (DTMF), type a caller turn, and read the call's live transcript.

import {api} from "./api.js";
import {errorText, h, replace} from "./dom.js";
import {on} from "./events.js";
import {Phone} from "./phone.js";
import {putTurn} from "./transcript.js";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

export function softphonePage(root) {
  let phone = null;
  let shownSid = null; // the call whose transcript is shown; it stays after the call ends for late turns

  const flowSelect = h("select", {id: "sp-flow", name: "flow", required: true});
  const callButton = h("button", {type: "submit", id: "sp-call", class: "primary"}, "Call");
  const hangUpButton = h("button", {type: "button", id: "sp-hangup", class: "danger", disabled: true, onclick: () => phone?.hangUp()}, "Hang up");
  const mute = h("input", {type: "checkbox", id: "sp-mute", onchange: () => phone?.mute(mute.checked)});
  const status = h("p", {id: "sp-status", class: "status", role: "status", "aria-live": "polite"}, "Idle");
  const meter = h("meter", {id: "sp-level", min: 0, max: 0.5, value: 0, "aria-label": "Microphone level"});
  const speaking = h("span", {id: "sp-agent", class: "agent-indicator", hidden: true}, "Agent speaking");
  const sidLine = h("p", {class: "muted", id: "sp-sid"});
  const transcript = h("ol", {id: "sp-transcript", class: "transcript", "aria-live": "polite", "aria-label": "Call transcript"});
  const textInput = h("input", {type: "text", id: "sp-text", name: "text", autocomplete: "off", placeholder: "e.g. I'd like a large pizza"});
  const textButton = h("button", {type: "submit", id: "sp-say", disabled: true}, "Send");
  const keypad = h("div", {class: "keypad", role: "group", "aria-label": "Keypad"},
    KEYS.map((key) => h("button", {type: "button", class: "key", disabled: true, dataset: {digit: key},
                                   "aria-label": `Key ${key}`, onclick: () => pressKey(key)}, key)));

  const callForm = h("form", {class: "row", onsubmit: (e) => { e.preventDefault(); call(); }},
    h("label", {for: "sp-flow"}, "Flow"), flowSelect, callButton, hangUpButton,
    h("label", {class: "inline"}, mute, " Mute microphone"));
  const textForm = h("form", {class: "row", onsubmit: (e) => { e.preventDefault(); say(); }},
    h("label", {for: "sp-text"}, "Type a caller turn"), textInput, textButton);

  replace(root,
    h("h2", {}, "Softphone"),
    h("p", {class: "muted"}, "Talk to a flow from this browser: no phone number needed. Your microphone is converted to 8 kHz mu-law and streamed like a phone call; the keypad (or your keyboard's digits, * and #) sends tones."),
    callForm,
    h("div", {class: "row"}, status, h("label", {for: "sp-level"}, "Mic"), meter, speaking),
    sidLine,
    h("div", {class: "softphone"},
      h("section", {"aria-labelledby": "sp-keypad-title"}, h("h3", {id: "sp-keypad-title"}, "Keypad"), keypad, textForm),
      h("section", {"aria-labelledby": "sp-transcript-title", class: "grow"}, h("h3", {id: "sp-transcript-title"}, "Transcript"), transcript)));

  // digits typed on the keyboard press the keypad too, unless the tester is typing in a field
  document.addEventListener("keydown", (e) => {
    if (root.hidden || !phone || e.ctrlKey || e.metaKey || e.altKey || !KEYS.includes(e.key)) return;
    if (e.target.closest?.("input, textarea, select")) return;
    e.preventDefault();
    pressKey(e.key);
  });

  window.addEventListener("pagehide", () => phone?.hangUp()); // closing the tab hangs up cleanly (stop)

  loadFlows();
  on("turn", ({callSid, turn}) => {
    if (callSid === shownSid) putTurn(transcript, turn);
  });

  async function loadFlows() {
    try {
      const flows = await api("/api/flows");
      const chosen = flowSelect.value || new URLSearchParams(location.hash.split("?")[1] ?? "").get("flow");
      replace(flowSelect, flows.map((f) => h("option", {value: f.name, disabled: f.lastError && !f.version},
        f.draft ? `${f.name} (draft)` : f.name)));
      if (chosen && flows.some((f) => f.name === chosen)) flowSelect.value = chosen;
    } catch (e) {
      status.textContent = `Cannot list flows: ${errorText(e)}`;
    }
  }

  function setInCall(inCall) {
    callButton.disabled = inCall;
    flowSelect.disabled = inCall;
    hangUpButton.disabled = !inCall;
    textButton.disabled = !inCall;
    keypad.querySelectorAll("button").forEach((b) => { b.disabled = !inCall; });
  }

  async function call() {
    if (phone || !flowSelect.value) return;
    replace(transcript);
    setInCall(true);
    status.textContent = `Calling ${flowSelect.value}…`;
    phone = new Phone(flowSelect.value, {
      onState: (text) => { status.textContent = text; },
      onLevel: (rms) => { meter.value = rms; },
      onAgentPlaying: (playing) => { speaking.hidden = !playing; },
      onEnded: (reason) => {
        status.textContent = `Call ended (${reason})`;
        speaking.hidden = true;
        meter.value = 0;
        setInCall(false);
        const ended = phone;
        phone = null;
        if (ended?.callSid) {
          replace(sidLine, "Call ", h("a", {href: `#/calls/${encodeURIComponent(ended.callSid)}`, id: "sp-detail"}, ended.callSid), " — open its details");
        }
      },
    });
    phone.mute(mute.checked);
    root.phone = phone; // for the browser test and for debugging from the console
    try {
      shownSid = null;
      await phone.call();
      shownSid = phone?.callSid ?? null;
      if (shownSid) sidLine.textContent = `Call ${shownSid}`;
    } catch (e) {
      status.textContent = `Call failed: ${errorText(e)}`;
      phone?.finish(errorText(e));
    }
  }

  function pressKey(key) {
    phone?.dtmf(key);
    status.textContent = `Sent key ${key}`;
  }

  function say() {
    const text = textInput.value.trim();
    if (!text || !phone) return;
    if (phone.say(text)) {
      textInput.value = "";
      status.textContent = `Said: “${text}”`;
    }
  }

  return {
    refresh: loadFlows,
    leave() {}, // a call keeps going while other pages are open
  };
}
