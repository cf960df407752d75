// The call detail page (#/calls/SID): the call's summary, its per-turn latency chart, the
// transcript with interruptions and tool calls marked, its recorded events, its post-call analysis,
// recordings, transfers, webhook deliveries and (once it has ended) the replay panel. A live call keeps updating from the event stream.

import {api, token} from "./api.js";
import {badge, duration, errorText, h, replace, time} from "./dom.js";
import {on} from "./events.js";
import {latencyChart} from "./chart.js";
import {putTurn} from "./transcript.js";
import {analysisSection} from "./analysis.js";
import {replayPanel} from "./replay.js";
import {transfersSection, webhooksSection} from "./callcenter.js";

export function detailPage(root) {
  let sid = null;
  let call = null;
  let recordings = [];
  let deliveries = []; // the call's webhook deliveries
  let replay = null; // the replay panel of a stored call, kept across renders

  on("turn", ({callSid, turn}) => {
    if (callSid !== sid || !call) return;
    call.transcript = [...call.transcript.filter((t) => t.index !== turn.index), turn].sort((a, b) => a.index - b.index);
    render();
  });
  on("call", (summary) => {
    if (summary.callSid === sid && call) {
      if (summary.status !== "active" && call.status === "active") loadDeliveries(sid); // call.ended was queued
      Object.assign(call, summary);
      render();
    }
  });

  async function show(callSid) {
    sid = callSid;
    call = null;
    recordings = [];
    deliveries = [];
    replay = null;
    replace(root, h("p", {class: "muted"}, `Loading call ${callSid}…`));
    try {
      call = await api(`/api/calls/${encodeURIComponent(callSid)}`);
      recordings = await api(`/api/calls/${encodeURIComponent(callSid)}/recordings`).catch(() => []);
      deliveries = (await api(`/api/calls/${encodeURIComponent(callSid)}/webhooks`).catch(() => null))?.deliveries ?? [];
      if (sid === callSid) render();
    } catch (e) {
      replace(root, h("p", {class: "error", role: "alert"}, `Cannot load call ${callSid}: ${errorText(e)}`),
              h("p", {}, h("a", {href: "#/calls"}, "Back to call history")));
    }
  }

  function render() {
    const transcript = h("ol", {class: "transcript", id: "detail-transcript", "aria-label": "Transcript"});
    call.transcript.forEach((turn) => putTurn(transcript, turn));
    const active = call.status === "active";
    replace(root,
      h("p", {}, h("a", {href: "#/calls"}, "← Call history")),
      h("h2", {}, "Call ", h("code", {id: "detail-sid"}, call.callSid), " ", badge(call.status)),
      h("dl", {class: "facts"},
        fact("Flow", h("a", {href: `#/versions/${encodeURIComponent(call.flow)}?from=${encodeURIComponent(call.flowVersion ?? "")}`,
                             id: "detail-flow", title: "This version beside the live one"},
          `${call.flow}${call.flowVersion ? ` (version ${call.flowVersion.slice(0, 12)})` : ""}`)),
        fact("From", call.from), fact("To", call.to), fact("Direction", call.direction),
        fact("Started", time(call.startedAt)), fact("Length", duration(call.startedAt, call.endedAt)),
        fact("Node", call.node),
        fact("Ended because", call.endReason),
        fact("Turns", call.transcript.length)),
      active ? h("p", {}, h("button", {type: "button", class: "danger", onclick: hangUp}, "Hang up this call")) : null,
      analysisSection(call, (fresh) => {
        call = fresh;
        render();
      }),
      h("h3", {}, "Latency"),
      latencyChart(call.transcript),
      h("h3", {}, "Transcript"),
      call.transcript.length ? transcript : h("p", {class: "muted"}, "No turns."),
      call.events?.length ? [h("h3", {}, "Events"), h("ul", {class: "events"},
        call.events.map((e) => h("li", {}, h("time", {datetime: e.at}, time(e.at)), " ", badge(e.kind, "event"), " ", e.detail ?? "")))] : null,
      call.usage?.length ? [h("h3", {}, "Usage"), h("ul", {class: "events"},
        call.usage.map((u) => h("li", {}, `${u.provider} ${u.kind}: ${u.input} in, ${u.output} out`)))] : null,
      recordings.length ? [h("h3", {}, "Recordings"), h("ul", {class: "events", id: "detail-recordings"},
        recordings.map(recordingItem))] : null,
      transfersSection(call.events),
      webhooksSection(deliveries),
      active ? null : (replay ??= replayPanel(call)));
  }

  /** A recording: its status and length, and a button that fetches its audio through the server (bearer header) into a player. */
  function recordingItem(r) {
    const item = h("li", {}, h("code", {}, r.recordingSid), " ", badge(r.status, "event"),
                   r.durationSeconds != null ? ` ${r.durationSeconds} s` : "", " ");
    const play = h("button", {type: "button", onclick: async () => {
      play.disabled = true;
      try {
        const res = await fetch(r.audio, {headers: {Authorization: `Bearer ${token()}`}});
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        item.append(h("audio", {controls: "", src: URL.createObjectURL(await res.blob())}));
        play.remove();
      } catch (e) {
        play.disabled = false;
        item.append(h("span", {class: "error"}, ` cannot play: ${errorText(e)}`));
      }
    }}, "Play");
    item.append(play);
    return item;
  }

  async function loadDeliveries(callSid) {
    const fresh = (await api(`/api/calls/${encodeURIComponent(callSid)}/webhooks`).catch(() => null))?.deliveries;
    if (fresh && sid === callSid && call) {
      deliveries = fresh;
      render();
    }
  }

  async function hangUp() {
    try {
      await api(`/api/calls/${encodeURIComponent(sid)}/hangup`, {method: "POST"});
    } catch (e) {
      alert(`Hang-up failed: ${errorText(e)}`);
    }
  }

  return {show};
}

/** A name and value for the facts list, or nothing when there is no value. */
function fact(name, value) {
  return value === null || value === undefined || value === "" ? null : [h("dt", {}, name), h("dd", {}, value)];
}
