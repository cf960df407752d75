// The Live calls page (#/live): every call in progress (who is calling which flow, the node it is
// in) kept current by the event stream, and the selected call's transcript as it happens.

import {api} from "./api.js";
import {badge, duration, errorText, h, replace, time} from "./dom.js";
import {on} from "./events.js";
import {putTurn} from "./transcript.js";

export function livePage(root) {
  const calls = new Map(); // callSid -> summary, active calls only
  let selected = null;

  const body = h("tbody", {id: "live-rows"});
  const info = h("p", {class: "muted", id: "live-info", role: "status"});
  const title = h("h3", {id: "live-title"}, "Transcript");
  const transcript = h("ol", {class: "transcript", id: "live-transcript", "aria-live": "polite", "aria-labelledby": "live-title"});
  const actions = h("div", {class: "row"}, h("p", {class: "muted"}, "Select a call to follow its transcript."));

  replace(root,
    h("h2", {}, "Live calls"),
    info,
    h("div", {class: "split"},
      h("table", {class: "calls"},
        h("thead", {}, h("tr", {}, ["Started", "From", "To", "Flow", "Node", "Turns", "Length"].map((c) => h("th", {scope: "col"}, c)))),
        body),
      h("section", {class: "panel", "aria-labelledby": "live-title"}, title, actions, transcript)));

  on("call", (summary) => {
    if (summary.status === "active") calls.set(summary.callSid, summary);
    else calls.delete(summary.callSid);
    if (summary.callSid === selected && summary.status !== "active") {
      replace(actions, h("p", {class: "muted"}, `Call ended${summary.endReason ? ` (${summary.endReason})` : ""}. `,
        h("a", {href: `#/calls/${encodeURIComponent(summary.callSid)}`}, "Open its details")));
    }
    render();
  });
  on("turn", ({callSid, turn}) => {
    if (callSid === selected) putTurn(transcript, turn);
  });
  // the Length column ticks in place, so a focused row keeps its focus
  setInterval(() => {
    body.querySelectorAll("tr[data-sid]").forEach((tr) => {
      const call = calls.get(tr.dataset.sid);
      if (call) tr.querySelector("td.length").textContent = duration(call.startedAt);
    });
  }, 1000);

  function render() {
    const rows = [...calls.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const focused = document.activeElement?.closest?.("#live-rows tr[data-sid]")?.dataset.sid;
    replace(body, rows.length ? rows.map(row) : h("tr", {}, h("td", {colspan: 7, class: "muted"}, "No calls in progress.")));
    if (focused) body.querySelector(`tr[data-sid="${CSS.escape(focused)}"]`)?.focus();
    info.className = "muted";
    info.textContent = `${rows.length} call${rows.length === 1 ? "" : "s"} in progress`;
  }

  function row(call) {
    return h("tr", {class: call.callSid === selected ? "clickable selected" : "clickable", dataset: {sid: call.callSid},
                    tabindex: 0, "aria-selected": call.callSid === selected ? "true" : "false",
                    onclick: () => select(call.callSid), onkeydown: (e) => { if (e.key === "Enter") select(call.callSid); }},
      h("td", {}, time(call.startedAt)), h("td", {}, call.from), h("td", {}, call.to), h("td", {}, call.flow),
      h("td", {}, call.node ? badge(call.node, "node") : ""), h("td", {}, call.turns), h("td", {class: "length"}, duration(call.startedAt)));
  }

  async function select(sid) {
    selected = sid;
    render();
    title.textContent = `Transcript of ${sid}`;
    replace(transcript);
    replace(actions,
      h("button", {type: "button", class: "danger", onclick: () => hangUp(sid)}, "Hang up"),
      h("a", {href: `#/calls/${encodeURIComponent(sid)}`}, "Details"));
    try {
      const detail = await api(`/api/calls/${encodeURIComponent(sid)}`);
      if (selected === sid) detail.transcript.forEach((turn) => putTurn(transcript, turn));
    } catch (e) {
      replace(transcript, h("li", {class: "error"}, errorText(e)));
    }
  }

  async function hangUp(sid) {
    try {
      await api(`/api/calls/${encodeURIComponent(sid)}/hangup`, {method: "POST"});
    } catch (e) {
      alert(`Hang-up failed: ${errorText(e)}`);
    }
  }

  return {
    async refresh() {
      try {
        const active = await api("/api/calls/active");
        calls.clear();
        active.forEach((c) => calls.set(c.callSid, c));
        render();
      } catch (e) {
        replace(body);
        info.className = "error";
        info.textContent = errorText(e);
      }
    },
  };
}
