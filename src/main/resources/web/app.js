// The console's entry point: the admin token field, the tabs (Live, History, Flows, Softphone) and
// hash routing between them (#/live, #/calls, #/calls/SID, #/flows, #/versions/FLOW, #/phone). Each page is built
// once and kept, so a softphone call survives a look at another tab.

import {setToken, token} from "./api.js";
import {h} from "./dom.js";
import {isConnected, on, startEvents} from "./events.js";
import {livePage} from "./live.js";
import {historyPage} from "./history.js";
import {detailPage} from "./detail.js";
import {flowsPage} from "./flows.js";
import {versionsPage} from "./versions.js";
import {softphonePage} from "./softphone.js";

const sections = {
  live: document.getElementById("page-live"),
  calls: document.getElementById("page-calls"),
  detail: document.getElementById("page-detail"),
  flows: document.getElementById("page-flows"),
  versions: document.getElementById("page-versions"),
  phone: document.getElementById("page-phone"),
};

startEvents();
const pages = {
  live: livePage(sections.live),
  calls: historyPage(sections.calls),
  detail: detailPage(sections.detail),
  flows: flowsPage(sections.flows),
  versions: versionsPage(sections.versions),
  phone: softphonePage(sections.phone),
};

function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  let page = name in pages && name !== "detail" && name !== "versions" ? name : "live";
  if (name === "versions" && rest.length && rest[0]) page = "versions";
  if (name === "calls" && rest.length && rest[0]) page = "detail";
  for (const [key, section] of Object.entries(sections)) section.hidden = key !== page;
  document.querySelectorAll("nav a[data-page]").forEach((a) => {
    const current = a.dataset.page === page || (page === "detail" && a.dataset.page === "calls")
      || (page === "versions" && a.dataset.page === "flows");
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  if (page === "detail") pages.detail.show(decodeURIComponent(rest.join("/")));
  else if (page === "versions") pages.versions.show(decodeURIComponent(rest.join("/")), new URLSearchParams(query));
  else pages[page].refresh();
}

// The token field: its value is only ever stored and sent, never shown elsewhere or logged.
const tokenForm = document.getElementById("token-form");
const tokenInput = document.getElementById("token");
const tokenState = document.getElementById("token-state");
function showTokenState() {
  tokenState.textContent = token() ? "token set" : "no token: open the address the server printed at start";
}
tokenForm.addEventListener("submit", (e) => {
  e.preventDefault();
  setToken(tokenInput.value.trim());
  tokenInput.value = "";
  showTokenState();
  route();
});
document.getElementById("token-clear").addEventListener("click", () => {
  setToken("");
  tokenInput.value = "";
  showTokenState();
  route();
});
showTokenState();

const streamState = document.getElementById("stream-state");
const showStream = (connected) => {
  streamState.textContent = connected ? "live" : "offline";
  streamState.className = `badge ${connected ? "badge-active" : "badge-failed"}`;
};
on("state", showStream);
showStream(isConnected());

window.addEventListener("hashchange", route);
route();
document.body.dataset.ready = "true"; // the browser test waits for this
