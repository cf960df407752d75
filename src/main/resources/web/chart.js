// The per-turn latency chart of a call detail: one horizontal stacked bar per turn showing where
// the time from the end of the caller's speech to the first agent audio went, with marks for what
// happened around it (a speculative reply started and used or dropped, the agent paused, resumed or
// cut off by the caller). Inline SVG drawn here (no chart library, no network), with a table of the
// same numbers for screen readers.

import {h} from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

/** The stages, in order; each is the time between the previous mark and its own. */
export const STAGES = [
  {key: "stt", label: "STT final", color: "#4e79a7"},
  {key: "llm", label: "LLM first token", color: "#f28e2b"},
  {key: "tts", label: "TTS first audio", color: "#59a14f"},
  {key: "overhead", label: "Overhead to first audio sent", color: "#9c755f"},
];

/**
 * A turn's stages in ms from its timings (each ms after the end of the caller's speech), or null
 * when the turn has no first audio (e.g. the greeting or a turn with no reply). A missing mark
 * folds its stage into the next one, so the bar still ends at firstAudioSent.
 */
export function stages(timings = {}) {
  const end = timings.firstAudioSent;
  if (end === undefined || end === null) return null;
  const marks = [timings.sttFinal, timings.llmFirstToken, timings.ttsFirstAudio, end];
  const out = {};
  let previous = 0;
  STAGES.forEach((stage, i) => {
    const mark = marks[i];
    if (mark === undefined || mark === null) {
      out[stage.key] = 0;
      return;
    }
    out[stage.key] = Math.max(0, mark - previous);
    previous = Math.max(previous, mark);
  });
  out.total = Math.max(previous, end);
  return out;
}

/** The kinds of mark on a turn's bar; a triangle above the bar for speculation, below it for barge-in. */
export const MARKS = {
  "speculation-started": {label: "Speculative reply started", color: "#76b7b2", above: true},
  "speculation-used": {label: "Speculative reply used", color: "#2e7d32", above: true},
  "speculation-discarded": {label: "Speculative reply discarded (words changed)", color: "#e15759", above: true},
  "speculation-resumed": {label: "Speculative reply dropped (caller went on)", color: "#b07aa1", above: true},
  "barge-in-paused": {label: "Agent paused for caller speech", color: "#edc948", above: false},
  "barge-in-resumed": {label: "Agent resumed", color: "#59a14f", above: false},
  "barge-in-committed": {label: "Agent cut off", color: "#e15759", above: false},
};

/**
 * A turn's marks as {kind, ms} (ms after the end of the caller's speech, as the bar): each
 * speculation's start and how it ended, and each barge-in step (given in ms into the reply, which
 * began at firstAudioSent).
 */
export function marks(turn) {
  const out = [];
  for (const s of turn.speculations ?? []) {
    out.push({kind: "speculation-started", ms: s.startedMs});
    out.push({kind: `speculation-${s.outcome}`, ms: s.settledMs});
  }
  const replyStart = turn.timingsMs?.firstAudioSent;
  if (replyStart !== undefined && replyStart !== null) {
    for (const b of turn.bargeIns ?? []) out.push({kind: `barge-in-${b.step}`, ms: replyStart + b.msIntoReply});
  }
  return out.filter((m) => MARKS[m.kind]);
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  children.forEach((c) => el.append(c));
  return el;
}

/** A legend's colour square; coloured through the DOM, as the page's CSP refuses style attributes. */
function swatch(color) {
  const el = h("span", {class: "swatch"});
  el.style.background = color;
  return el;
}

function niceMax(ms) {
  for (const step of [100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000]) {
    if (ms <= step * 5) return Math.max(step, Math.ceil(ms / step) * step);
  }
  return Math.ceil(ms / 10000) * 10000;
}

/** A <figure> with the chart, its legend and a table of the numbers, for a call's transcript. */
export function latencyChart(transcript) {
  const rows = transcript.map((turn) => ({turn, parts: stages(turn.timingsMs), marks: marks(turn)})).filter((r) => r.parts);
  if (rows.length === 0) {
    return h("figure", {class: "latency", id: "latency"}, h("p", {class: "muted"}, "No turn of this call has latency data yet."));
  }
  const width = 720;
  const barHeight = 22;
  const gap = 14;
  const left = 70;
  const right = 70;
  const top = 12;
  const bottom = 30;
  const height = top + rows.length * (barHeight + gap) + bottom;
  const max = niceMax(Math.max(...rows.map((r) => Math.max(r.parts.total, ...r.marks.map((m) => m.ms)))));
  const scale = (ms) => ((width - left - right) * ms) / max;

  const chart = svg("svg", {viewBox: `0 0 ${width} ${height}`, width, height, role: "img", id: "latency-svg",
                            "aria-label": `Latency per turn: time from the end of the caller's speech to the first agent audio, up to ${max} ms`});
  // grid and axis
  for (let i = 0; i <= 5; i++) {
    const ms = (max / 5) * i;
    const x = left + scale(ms);
    chart.append(svg("line", {x1: x, x2: x, y1: top - 4, y2: height - bottom + 4, class: "grid"}),
                 svg("text", {x, y: height - bottom + 18, "text-anchor": "middle", class: "axis"}, `${Math.round(ms)} ms`));
  }
  rows.forEach(({turn, parts}, row) => {
    const y = top + row * (barHeight + gap);
    chart.append(svg("text", {x: left - 8, y: y + barHeight * 0.7, "text-anchor": "end", class: "axis"}, `turn ${turn.index}`));
    let x = left;
    const bar = svg("g", {class: "bar", "data-turn": turn.index});
    for (const stage of STAGES) {
      const w = scale(parts[stage.key]);
      if (w > 0) {
        bar.append(svg("rect", {x, y, width: w, height: barHeight, fill: stage.color, "data-stage": stage.key},
                       svg("title", {}, `Turn ${turn.index} — ${stage.label}: ${parts[stage.key]} ms`)));
      }
      x += w;
    }
    bar.append(svg("text", {x: x + 6, y: y + barHeight * 0.7, class: "total"}, `${parts.total} ms`));
    rows[row].marks.forEach((m) => bar.append(markShape(m, left + scale(Math.max(0, m.ms)), y, barHeight, turn.index)));
    chart.append(bar);
  });

  const used = new Set(rows.flatMap((r) => r.marks.map((m) => m.kind)));
  const legend = h("ul", {class: "legend", "aria-hidden": "true"},
    STAGES.map((s) => h("li", {}, swatch(s.color), s.label)),
    Object.entries(MARKS).filter(([kind]) => used.has(kind)).map(([kind, m]) => h("li", {}, swatch(m.color), (m.above ? "▼ " : "▲ ") + m.label)));
  const table = h("table", {class: "numbers"},
    h("caption", {}, "Latency per turn (ms after the end of the caller's speech)"),
    h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Turn"), STAGES.map((s) => h("th", {scope: "col"}, s.label)), h("th", {scope: "col"}, "Total"), h("th", {scope: "col"}, "Marks"))),
    h("tbody", {}, rows.map(({turn, parts, marks}) => h("tr", {},
      h("th", {scope: "row"}, turn.index), STAGES.map((s) => h("td", {}, parts[s.key])), h("td", {}, parts.total),
      h("td", {}, marks.map((m) => `${MARKS[m.kind].label} at ${m.ms} ms`).join("; "))))));
  return h("figure", {class: "latency", id: "latency"}, chart, legend,
    h("details", {}, h("summary", {}, "Numbers"), table));
}

/** A mark: a small triangle pointing at the bar from above (speculation) or below (barge-in). */
function markShape(mark, x, y, barHeight, turnIndex) {
  const kind = MARKS[mark.kind];
  const size = 5;
  const points = kind.above
    ? `${x - size},${y - size - 1} ${x + size},${y - size - 1} ${x},${y + 2}`
    : `${x - size},${y + barHeight + size + 1} ${x + size},${y + barHeight + size + 1} ${x},${y + barHeight - 2}`;
  return svg("polygon", {points, fill: kind.color, stroke: "#333", "stroke-width": 0.5, class: "mark", "data-mark": mark.kind},
             svg("title", {}, `Turn ${turnIndex} — ${kind.label}: ${mark.ms} ms`));
}
