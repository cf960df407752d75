// Takes a message for the business: kept in the call state (and so in the call record) and
// written to the server log, where the dashboard shows it.
export default {
  description: "Take a message: who called, how to call them back, and what it is about.",
  parameters: {
    type: "object",
    properties: {
      name: { type: "string" },
      callback_number: { type: "string", description: "Number to call back, E.164 if possible" },
      message: { type: "string", maxLength: 1000 },
    },
    required: ["name", "message"],
  },
  timeoutMs: 1000,
  run(args, call) {
    const message = { name: args.name, callback: args.callback_number || call.from, message: args.message };
    call.state.message = message;
    call.log("message", JSON.stringify(message));
    return { taken: true, read_back: `${message.name}, ${message.callback}: ${message.message}` };
  },
};
