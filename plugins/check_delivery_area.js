// Whether Luigi's delivers to a ZIP code. The list comes from config.yaml
// (plugins.config.check_delivery_area.zips); these are the defaults.
const DEFAULT_ZIPS = ["62701", "62702", "62703", "62704"];

export default {
  description: "Check whether Luigi's delivers to an address, by its 5-digit ZIP code.",
  parameters: {
    type: "object",
    properties: {
      street: { type: "string", description: "Street and house number" },
      zip: { type: "string", pattern: "^[0-9]{5}$", description: "5-digit ZIP code" },
    },
    required: ["zip"],
  },
  timeoutMs: 1000,
  run(args, call) {
    const zips = Array.isArray(call.config.zips) ? call.config.zips.map(String) : DEFAULT_ZIPS;
    const delivers = zips.includes(args.zip);
    if (delivers) {
      call.state.delivery_address = `${args.street || ""} ${args.zip}`.trim();
    }
    return { zip: args.zip, delivers, fee: delivers ? 3.0 : null };
  },
};
