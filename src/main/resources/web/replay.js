// The replay panel of a call's page: the call's caller turns replayed on another version of its
// flow (the live one, the flow's draft or a stored version) and shown beside the call, with the
// rows that differ (agent's words, tools, nodes) marked and the state the replay's plugins left.

import {api} from "./api.js";
import {badge, errorText, h, replace} from "./dom.js";

/** The replay panel for the stored call {callSid, flow}. */
export function replayPanel(call) {
  const target = h("select", {id: "replay-target"},
    h("option", {value: "live"}, "the live version"), h("option", {value: "draft"}, "the flow's draft"));
  const button = h("button", {type: "button", id: "replay-run", class: "primary", onclick: run}, "Replay");
  const out = h("div", {id: "replay-result", "aria-live": "polite"});
  const panel = h("section", {class: "replay", "aria-label": "Replay"},
    h("h3", {}, "Replay"),
    h("p", {class: "muted small"}, "The caller's turns of this call, replayed in text on another version with the flow's LLM. "
      + "Plugins do not run: they answer with this call's results."),
    h("div", {class: "row"}, h("label", {class: "inline"}, "On ", target), button), out);

  api(`/api/flows/${encodeURIComponent(call.flow)}/versions`).then((versions) => {
    versions.filter((v) => v.version !== call.flowVersion || !v.live).forEach((v) => target.append(h("option",
      {value: `version:${v.version}`}, `stored version ${v.version.slice(0, 12)}${v.version === call.flowVersion ? " (this call's)" : ""}`)));
  }).catch(() => { /* no stored versions to offer; live and draft remain */ });

  async function run() {
    button.disabled = true;
    replace(out, h("p", {class: "muted"}, "Replaying…"));
    const [kind, version] = target.value.split(":");
    const body = kind === "version" ? {target: "version", version} : {target: kind};
    try {
      render(await api(`/api/calls/${encodeURIComponent(call.callSid)}/replay`, {method: "POST", body}));
    } catch (e) {
      replace(out, h("p", {class: "error", role: "alert"}, errorText(e)));
    } finally {
      button.disabled = false;
    }
  }

  function render(replay) {
    const side = (s) => `${s.label}: ${s.flow} @ ${s.version.slice(0, 12)}`;
    replace(out,
      h("p", {id: "replay-summary", class: replay.differs ? "warning" : "ok"},
        replay.differs ? "The replay differs from the call." : "The replay answered as the call did."),
      replay.problem ? h("p", {class: "error"}, replay.problem) : null,
      h("table", {class: "replay-rows", id: "replay-rows"},
        h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Caller"), h("th", {scope: "col"}, side(replay.original)),
          h("th", {scope: "col"}, side(replay.replay)))),
        h("tbody", {}, replay.rows.map((row) => h("tr", {class: row.differences.length ? "differs" : "", dataset: {index: row.index}},
          h("th", {scope: "row"}, row.step, row.differences.map((d) => [" ", badge(d, "failed")])),
          h("td", {class: "replay-original"}, exchange(row.original, [], row.differences)),
          h("td", {class: "replay-replay"}, row.replay ? exchange(row.replay, row.stateChanged, row.differences)
                                                       : h("span", {class: "muted"}, "not reached")))))));
  }

  return panel;
}

function exchange(e, stateChanged, differences) {
  const marked = (what) => differences.includes(what) ? "changed" : "";
  return [
    e.tools.length ? h("ul", {class: `tools ${marked("tools")}`}, e.tools.map((t) => h("li", {class: t.error ? "tool tool-failed" : "tool"},
      h("span", {class: "badge badge-tool"}, "tool"), " ", h("code", {}, `${t.name}(${t.arguments})`),
      t.result ? h("div", {class: "tool-result"}, "→ ", h("code", {}, t.result)) : null))) : null,
    e.nodes.map((n) => h("div", {class: marked("nodes")}, badge(`node ${n}`, "node"))),
    e.agent ? h("p", {class: `said ${marked("agent")}`}, e.agent) : null,
    stateChanged.length ? h("p", {class: "small state"}, "state: ",
      stateChanged.map((k) => h("code", {}, `${k}=${e.state?.[k] ?? "(unset)"} `))) : null,
    e.ended ? h("p", {class: "muted small"}, "the call ended") : null,
  ];
}
