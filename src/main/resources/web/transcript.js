// How one transcript turn looks, the same on every page: the caller's words, the agent's words as
// heard (marked when the caller interrupted), and the tool calls the turn made.

import {h} from "./dom.js";

/** An <li> for a turn {index, caller, agent, interrupted, tools, timingsMs, bargeIns}. */
export function turnView(turn) {
  const tools = turn.tools ?? [];
  return h("li", {class: "turn", dataset: {index: turn.index}},
    turn.caller ? h("p", {class: "line caller"}, h("span", {class: "who"}, "Caller"), h("span", {class: "said"}, turn.caller)) : null,
    tools.length ? h("ul", {class: "tools", "aria-label": "Tool calls"}, tools.map(toolView)) : null,
    turn.agent ? h("p", {class: "line agent"}, h("span", {class: "who"}, "Agent"),
                   h("span", {class: "said"}, turn.agent, turn.interrupted ? [" ", h("span", {class: "badge badge-interrupted",
                     title: "The caller spoke over the agent; only what was heard is shown"}, "interrupted")] : null,
                     bargeInView(turn.bargeIns ?? [])))
               : null,
  );
}

/**
 * The barge-in steps of a turn ({step: paused|resumed|committed, msIntoReply}) as one badge each:
 * a pause that resumed was a backchannel or noise the agent talked through.
 */
function bargeInView(steps) {
  return steps.map((b) => [" ", h("span", {class: `badge badge-${b.step}`,
    title: `${b.step} ${b.msIntoReply} ms into the reply`}, `${b.step} @${b.msIntoReply} ms`)]);
}

function toolView(tool) {
  const failed = tool.error === true || (typeof tool.error === "string" && tool.error !== "");
  return h("li", {class: failed ? "tool tool-failed" : "tool"},
    h("span", {class: "badge badge-tool"}, "tool"), " ",
    h("code", {}, `${tool.name}(${tool.arguments ?? ""})`),
    ` ${tool.ms ?? "?"} ms `,
    failed ? h("span", {class: "badge badge-failed"}, "error") : null,
    tool.result ? h("div", {class: "tool-result"}, "→ ", h("code", {}, tool.result)) : null,
  );
}

/**
 * Keeps a transcript list in step with turns that may arrive twice (from a fetch and from the
 * event stream): a turn replaces the one with the same index.
 */
export function putTurn(list, turn) {
  const view = turnView(turn);
  const existing = list.querySelector(`:scope > li[data-index="${Number(turn.index)}"]`);
  if (existing) {
    existing.replaceWith(view);
    return;
  }
  const after = [...list.children].find((li) => Number(li.dataset.index) > turn.index);
  list.insertBefore(view, after ?? null);
}
