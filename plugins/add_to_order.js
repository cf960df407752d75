// Adds an item to the caller's order, kept in the call state so the prompt can show it.
const PRICES = {
  margherita: { small: 11.0, large: 15.5 },
  pepperoni: { small: 12.5, large: 17.0 },
  "quattro formaggi": { small: 13.0, large: 18.0 },
  calzone: { regular: 13.5 },
  "garden salad": { regular: 7.5 },
  tiramisu: { regular: 6.0 },
  soda: { can: 2.0, bottle: 3.5 },
};

export default {
  description: "Add an item to the order. Call it once per item the caller names.",
  parameters: {
    type: "object",
    properties: {
      item: { type: "string", enum: Object.keys(PRICES) },
      size: { type: "string", description: "small, large, regular, can or bottle" },
      quantity: { type: "integer", minimum: 1, maximum: 20 },
    },
    required: ["item"],
  },
  timeoutMs: 1000,
  run(args, call) {
    const sizes = PRICES[args.item];
    const size = args.size && sizes[args.size] !== undefined ? args.size : Object.keys(sizes)[0];
    if (args.size && sizes[args.size] === undefined) {
      return { added: false, reason: `${args.item} comes in: ${Object.keys(sizes).join(", ")}` };
    }
    const quantity = args.quantity || 1;
    const order = call.state.order ? JSON.parse(call.state.order) : [];
    order.push({ item: args.item, size, quantity, price: sizes[size] });
    const total = order.reduce((sum, line) => sum + line.price * line.quantity, 0);
    call.state.order = order;
    call.state.order_summary = order.map((l) => `${l.quantity} ${l.size} ${l.item}`).join(", ");
    call.state.order_total = total.toFixed(2);
    return { added: true, order: call.state.order_summary, total: Number(total.toFixed(2)) };
  },
};
