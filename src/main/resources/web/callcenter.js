// The call page's call-center sections: the call's transfers (its "transfer" events) and the log
// of its webhook deliveries (GET /api/calls/{sid}/webhooks: event, target host, attempts, last
// status or error, next retry; never a body, a full URL or a secret).

import {badge, h, time} from "./dom.js";

const STATES = {PENDING: ["pending", "retrying"], DELIVERED: ["delivered", "completed"], DEAD: ["dead-lettered", "failed"]};

/** The transfers among a call's events, or nothing when it was not transferred. */
export function transfersSection(events) {
  const transfers = (events ?? []).filter((e) => e.kind === "transfer");
  if (!transfers.length) return null;
  return h("section", {id: "detail-transfers", "aria-labelledby": "transfers-title"},
    h("h3", {id: "transfers-title"}, "Transfers"),
    h("ul", {class: "events"}, transfers.map((e) => h("li", {},
      h("time", {datetime: e.at}, time(e.at)), " transferred to ", h("code", {}, e.detail ?? "")))));
}

/** The call's webhook deliveries as a table, or nothing when none was queued. */
export function webhooksSection(deliveries) {
  if (!deliveries?.length) return null;
  return h("section", {id: "detail-webhooks", "aria-labelledby": "webhooks-title"},
    h("h3", {id: "webhooks-title"}, "Webhook deliveries"),
    h("table", {},
      h("thead", {}, h("tr", {}, ["Event", "Target", "Status", "Attempts", "Last error", "Next try"].map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, deliveries.map((d) => {
        const [label, kind] = STATES[d.status] ?? [String(d.status).toLowerCase(), "event"];
        return h("tr", {"data-delivery": d.id, "data-status": label},
          h("td", {}, h("code", {}, d.event)), h("td", {}, d.target), h("td", {}, badge(label, kind)),
          h("td", {}, String(d.attempts)), h("td", {}, d.last_error ?? ""),
          h("td", {}, d.next_at ? h("time", {datetime: d.next_at}, time(d.next_at)) : ""));
      }))));
}
