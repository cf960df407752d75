// The versions page of a flow (#/versions/NAME[?from=VERSION]): every version stored as it went live
// (the live one marked, with how many stored calls each answered), and the line diff between two of
// them: by default the one before the latest and the latest, or ?from (a call's version) and the live one.

import {api} from "./api.js";
import {badge, errorText, h, replace, time} from "./dom.js";

export function versionsPage(root) {
  let flow = null;

  async function show(name, params = new URLSearchParams()) {
    flow = name;
    replace(root, h("p", {class: "muted"}, `Loading the versions of ${name}…`));
    let versions;
    try {
      versions = await api(`/api/flows/${encodeURIComponent(name)}/versions`);
    } catch (e) {
      replace(root, h("p", {class: "error", role: "alert"}, errorText(e)));
      return;
    }
    if (flow !== name) return;
    const asked = versions.findIndex((v) => v.version === params.get("from"));
    const live = Math.max(0, versions.findIndex((v) => v.live));
    const from = select("diff-from", versions, asked >= 0 ? asked : versions.length > 1 ? 1 : 0);
    const to = select("diff-to", versions, asked >= 0 ? live : 0);
    const diff = h("div", {id: "version-diff", "aria-live": "polite"});
    const compare = () => showDiff(name, from.value, to.value, diff);
    replace(root,
      h("p", {}, h("a", {href: "#/flows"}, "← Flows")),
      h("h2", {}, "Versions of ", h("code", {}, name)),
      versions.length ? h("table", {class: "versions", id: "versions-list"},
        h("thead", {}, h("tr", {}, ["Version", "Went live", "Calls", ""].map((c) => h("th", {scope: "col"}, c)))),
        h("tbody", {}, versions.map((v, i) => h("tr", {dataset: {version: v.version}, class: i === asked ? "selected" : null},
          h("td", {}, h("code", {title: v.version}, v.version.slice(0, 12))),
          h("td", {}, time(v.liveAt)),
          h("td", {}, String(v.calls)),
          h("td", {}, v.live ? badge("live", "active") : null)))))
        : h("p", {class: "muted"}, "No stored versions yet: a version is stored when it goes live."),
      versions.length ? [h("h3", {}, "Differences"),
        h("div", {class: "row"}, h("label", {class: "inline"}, "From ", from), h("label", {class: "inline"}, "to ", to),
          h("button", {type: "button", id: "diff-show", onclick: compare}, "Show differences")),
        diff] : null);
    if (from.value !== to.value) compare();
  }

  function select(id, versions, selected) {
    return h("select", {id}, versions.map((v, i) => h("option", {value: v.version, selected: i === selected},
      `${v.version.slice(0, 12)} (${time(v.liveAt)})${v.live ? " live" : ""}`)));
  }

  async function showDiff(name, from, to, into) {
    replace(into, h("p", {class: "muted"}, "Comparing…"));
    try {
      const diff = await api(`/api/flows/${encodeURIComponent(name)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      replace(into, diff.changed ? diff.files.filter((f) => f.status !== "same").map(fileView)
                                 : h("p", {class: "muted"}, "The two versions are the same."));
    } catch (e) {
      replace(into, h("p", {class: "error", role: "alert"}, errorText(e)));
    }
  }

  return {show};
}

const MARK = {same: " ", removed: "-", added: "+", skip: "…"};

function fileView(file) {
  return h("figure", {class: "diff-file", dataset: {path: file.path}},
    h("figcaption", {}, h("code", {}, file.path), " ", badge(file.status, file.status === "changed" ? "node" : "event")),
    h("table", {class: "diff"}, h("tbody", {}, file.lines.map((l) => h("tr", {class: `diff-${l.kind}`},
      h("td", {class: "num"}, l.old || ""), h("td", {class: "num"}, l.new || ""),
      h("td", {class: "mark"}, MARK[l.kind] ?? ""), h("td", {}, h("code", {}, l.text)))))));
}
