// Prices at Luigi's, in US dollars. Operators edit MENU; the LLM never guesses a price.
const MENU = {
  margherita: { small: 11.0, large: 15.5 },
  pepperoni: { small: 12.5, large: 17.0 },
  "quattro formaggi": { small: 13.0, large: 18.0 },
  calzone: { regular: 13.5 },
  "garden salad": { regular: 7.5 },
  tiramisu: { regular: 6.0 },
  soda: { can: 2.0, bottle: 3.5 },
};

export default {
  description: "Price of a menu item at Luigi's in US dollars, by size. Use it before quoting any price.",
  parameters: {
    type: "object",
    properties: { item: { type: "string", description: "The dish or drink, e.g. margherita" } },
    required: ["item"],
  },
  timeoutMs: 1000,
  run(args) {
    const name = args.item.trim().toLowerCase();
    const key = Object.keys(MENU).find((k) => k === name || name.includes(k) || k.includes(name));
    if (!key) {
      return { item: args.item, found: false, menu: Object.keys(MENU) };
    }
    return { item: key, found: true, prices: MENU[key] };
  },
};
