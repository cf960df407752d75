// A call's post-call analysis on its detail page: the status, each field of the result, why a
// result does not fit its schema, and a button that runs the analysis again.

import {api} from "./api.js";
import {badge, errorText, h, time} from "./dom.js";

/** The section for a finished call, or nothing for a live call or a flow without analysis. */
export function analysisSection(call, reload) {
  const a = call.analysis;
  if (!a) return null;
  const result = a.result && typeof a.result === "object" && !Array.isArray(a.result) ? a.result : null;
  const note = h("p", {class: "muted", id: "analysis-note", role: "status"});
  async function rerun(event) {
    event.target.disabled = true;
    note.textContent = "Running the analysis again…";
    try {
      await api(`/api/calls/${encodeURIComponent(call.callSid)}/analysis`, {method: "POST"});
      const before = a.analyzedAt;
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const fresh = await api(`/api/calls/${encodeURIComponent(call.callSid)}`);
        if (fresh.analysis && fresh.analysis.analyzedAt !== before) return reload(fresh);
      }
      note.textContent = "The analysis is still running; reload the page later.";
    } catch (e) {
      note.textContent = `The analysis could not be started: ${errorText(e)}`;
    }
    event.target.disabled = false;
  }
  return h("section", {id: "analysis", "aria-labelledby": "analysis-title"},
    h("h3", {id: "analysis-title"}, "Analysis ", badge(a.status, `analysis-${a.status}`)),
    result ? h("dl", {class: "facts", id: "analysis-fields"},
      Object.entries(result).map(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : JSON.stringify(v))]))
      : a.result !== undefined ? h("pre", {}, JSON.stringify(a.result)) : null,
    a.problem ? h("p", {class: "error", id: "analysis-problem"}, a.problem) : null,
    h("p", {class: "muted"}, `Analysed ${time(a.analyzedAt)}`),
    h("p", {}, h("button", {type: "button", id: "analysis-rerun", onclick: rerun}, "Run the analysis again")),
    note);
}
