// The Flows page (#/flows): every flow with its numbers, version, when it was loaded, its last
// error (with file:line; a failing gated test too), warnings and what its tests last reported; a
// flow's draft (<flow>.draft.yaml) in the row after it, with the callers it answers. Reload asks the
// server to re-read the flows folder.

import {api} from "./api.js";
import {badge, errorText, h, replace, time} from "./dom.js";

export function flowsPage(root) {
  const list = h("div", {id: "flows-list"});
  const outcome = h("div", {id: "reload-outcome", role: "status", "aria-live": "polite"});
  const reloadButton = h("button", {type: "button", id: "flows-reload", class: "primary", onclick: reload}, "Reload flows");

  replace(root, h("h2", {}, "Flows"), h("div", {class: "row"}, reloadButton, outcome), list);

  async function load() {
    try {
      const flows = await api("/api/flows");
      replace(list, flows.length ? h("table", {class: "flows"},
        h("thead", {}, h("tr", {}, ["Flow", "Numbers", "Version", "Loaded", "Problems", ""].map((c) => h("th", {scope: "col"}, c)))),
        h("tbody", {}, flows.map(row))) : h("p", {class: "muted"}, "No flows. Add a YAML file to the flows folder."));
    } catch (e) {
      replace(list, h("p", {class: "error", role: "alert"}, errorText(e)));
    }
  }

  function row(flow) {
    return h("tr", {dataset: {flow: flow.name}, class: flow.draft ? "draft" : null},
      h("th", {scope: "row"}, flow.name, flow.default ? [" ", badge("default", "node")] : null,
        flow.draft ? [" ", badge("draft")] : null,
        h("div", {class: "muted small"}, flow.file)),
      h("td", {}, flow.draft ? h("span", {class: "staging"}, "answers ", (flow.stagingCallers ?? []).join(", ") || "no caller",
                                 " and the softphone")
                             : (flow.numbers ?? []).join(", ") || h("span", {class: "muted"}, "none")),
      h("td", {}, flow.version ? h("code", {title: flow.version}, flow.version.slice(0, 12)) : h("span", {class: "muted"}, "not loaded")),
      h("td", {}, time(flow.loadedAt)),
      h("td", {},
        flow.lastError ? h("p", {class: "error flow-error"}, h("strong", {}, "Error: "), flow.lastError) : null,
        (flow.warnings ?? []).map((w) => h("p", {class: "warning"}, h("strong", {}, "Warning: "), w)),
        flow.tests ? h("p", {class: "flow-tests small"}, h("strong", {}, "Tests: "), flow.tests) : null),
      h("td", {}, flow.version ? h("a", {href: `#/phone?flow=${encodeURIComponent(flow.name)}`}, "Try in softphone") : null,
        flow.version ? [h("br"), h("a", {href: `#/versions/${encodeURIComponent(flow.name)}`, class: "versions-link"}, "Versions")] : null));
  }

  async function reload() {
    reloadButton.disabled = true;
    replace(outcome, "Reloading…");
    try {
      const result = await api("/api/flows/reload", {method: "POST"});
      replace(outcome, h("span", {class: result.applied ? "ok" : "error"},
        result.applied ? `Reloaded in ${result.tookMs} ms${result.changed?.length ? `: changed ${result.changed.join(", ")}` : ", nothing changed"}`
                       : "Not applied: the flows have errors"),
        result.problems?.length ? h("ul", {class: "problems"}, result.problems.map((p) => h("li", {}, p))) : null);
    } catch (e) {
      replace(outcome, h("span", {class: "error", role: "alert"}, errorText(e)));
    } finally {
      reloadButton.disabled = false;
      load();
    }
  }

  return {refresh: load};
}
