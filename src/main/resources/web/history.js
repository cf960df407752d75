// The call history page (#/calls): search stored calls by flow, number, date range and status,
// a page at a time; a row opens the call's detail.

import {api} from "./api.js";
import {badge, duration, errorText, h, replace, time} from "./dom.js";

const PAGE = 25;

export function historyPage(root) {
  let offset = 0;

  const flow = h("select", {id: "hs-flow", name: "flow"}, h("option", {value: ""}, "any"));
  const number = h("input", {type: "search", id: "hs-number", name: "number", placeholder: "+1555…", size: 14});
  const from = h("input", {type: "datetime-local", id: "hs-from", name: "from"});
  const to = h("input", {type: "datetime-local", id: "hs-to", name: "to"});
  const status = h("select", {id: "hs-status", name: "status"},
    ["", "active", "completed", "failed"].map((s) => h("option", {value: s}, s || "any")));
  const body = h("tbody", {id: "hs-rows"});
  const info = h("p", {class: "muted", id: "hs-info", role: "status"});
  const prev = h("button", {type: "button", id: "hs-prev", onclick: () => load(offset - PAGE)}, "← Newer");
  const next = h("button", {type: "button", id: "hs-next", onclick: () => load(offset + PAGE)}, "Older →");

  replace(root,
    h("h2", {}, "Call history"),
    h("form", {class: "row search", role: "search", onsubmit: (e) => { e.preventDefault(); load(0); }},
      field("Flow", flow), field("Number", number), field("From", from), field("To", to), field("Status", status),
      h("button", {type: "submit", class: "primary"}, "Search")),
    h("table", {class: "calls"},
      h("thead", {}, h("tr", {}, ["Started", "Flow", "From", "To", "Status", "Length", "Turns", "End reason"].map((c) => h("th", {scope: "col"}, c)))),
      body),
    h("div", {class: "row"}, prev, info, next));

  function field(label, input) {
    return h("label", {class: "stacked"}, label, input);
  }

  function isoOf(input) {
    return input.value ? new Date(input.value).toISOString() : null;
  }

  async function loadFlows() {
    try {
      const flows = await api("/api/flows");
      const chosen = flow.value;
      replace(flow, h("option", {value: ""}, "any"), flows.map((f) => h("option", {value: f.name}, f.name)));
      flow.value = chosen;
    } catch {
      // the search still works without the list; load() reports the error
    }
  }

  async function load(at = offset) {
    offset = Math.max(0, at);
    const params = new URLSearchParams({limit: PAGE, offset});
    if (flow.value) params.set("flow", flow.value);
    if (number.value.trim()) params.set("number", number.value.trim());
    if (isoOf(from)) params.set("from", isoOf(from));
    if (isoOf(to)) params.set("to", isoOf(to));
    if (status.value) params.set("status", status.value);
    try {
      const page = await api(`/api/calls?${params}`);
      replace(body, page.calls.length ? page.calls.map(row)
        : h("tr", {}, h("td", {colspan: 8, class: "muted"}, "No calls match.")));
      info.textContent = page.total ? `${page.offset + 1}–${page.offset + page.calls.length} of ${page.total}` : "";
      prev.disabled = page.offset === 0;
      next.disabled = page.offset + page.calls.length >= page.total;
    } catch (e) {
      replace(body, h("tr", {}, h("td", {colspan: 8, class: "error", role: "alert"}, errorText(e))));
      info.textContent = "";
    }
  }

  function row(call) {
    const open = () => { location.hash = `#/calls/${encodeURIComponent(call.callSid)}`; };
    return h("tr", {class: "clickable", dataset: {sid: call.callSid}, onclick: open},
      h("td", {}, h("a", {href: `#/calls/${encodeURIComponent(call.callSid)}`}, time(call.startedAt))),
      h("td", {}, call.flow), h("td", {}, call.from), h("td", {}, call.to),
      h("td", {}, badge(call.status)), h("td", {}, duration(call.startedAt, call.endedAt)),
      h("td", {}, call.turns), h("td", {}, call.endReason ?? ""));
  }

  return {
    refresh() {
      loadFlows();
      load();
    },
  };
}
