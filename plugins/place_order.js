// Sends the confirmed order to the kitchen. With plugins.config.place_order.order_url set (and
// the host allow-listed), the order is POSTed there; otherwise it is written to the server log
// and the kitchen reads it from the dashboard.
export default {
  description: "Place the confirmed order with the kitchen. Only after the caller has confirmed it.",
  parameters: {
    type: "object",
    properties: { name: { type: "string", description: "Name for the order" } },
    required: ["name"],
  },
  say: "Sending that to the kitchen now.",
  timeoutMs: 4000,
  async run(args, call) {
    if (!call.state.order) {
      return { placed: false, reason: "the order is empty" };
    }
    const order = {
      name: args.name,
      phone: call.from,
      items: JSON.parse(call.state.order),
      total: Number(call.state.order_total),
      delivery_address: call.state.delivery_address || null,
      call_sid: call.sid,
    };
    let number = `L${call.sid.slice(-4).toUpperCase()}`;
    if (call.config.order_url) {
      const response = await call.http.fetch(call.config.order_url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${call.config.token || ""}` },
        body: JSON.stringify(order),
      });
      if (!response.ok) {
        return { placed: false, reason: `the kitchen system answered ${response.status}` };
      }
      number = response.json().order_number || number;
    } else {
      call.log("order", JSON.stringify(order));
    }
    call.state.order_number = number;
    return { placed: true, order_number: number, ready_in_minutes: order.delivery_address ? 45 : 20 };
  },
};
