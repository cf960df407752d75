// Books a clinic appointment. With plugins.config.book_appointment.booking_url set (and the host
// allow-listed), POSTs the booking there; otherwise records it in the call and the server log.
export default {
  description: "Book an appointment at a time that find_slots offered and the caller chose.",
  parameters: {
    type: "object",
    properties: {
      patient_name: { type: "string" },
      date_of_birth: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "YYYY-MM-DD" },
      date: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      time: { type: "string", pattern: "^\\d{2}:\\d{2}$" },
      reason: { type: "string", description: "Reason for the visit, in a few words" },
    },
    required: ["patient_name", "date_of_birth", "date", "time"],
  },
  say: "Booking that for you.",
  timeoutMs: 4000,
  async run(args, call) {
    const booking = { ...args, phone: call.from, call_sid: call.sid };
    let reference = `MS-${args.date.replaceAll("-", "")}-${args.time.replace(":", "")}`;
    if (call.config.booking_url) {
      const response = await call.http.fetch(call.config.booking_url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${call.config.token || ""}` },
        body: JSON.stringify(booking),
      });
      if (response.status === 409) {
        return { booked: false, reason: "that time was just taken; offer another" };
      }
      if (!response.ok) {
        return { booked: false, reason: `the booking system answered ${response.status}` };
      }
      reference = response.json().reference || reference;
    } else {
      call.log("appointment", JSON.stringify(booking));
    }
    const booked = call.state.booked ? JSON.parse(call.state.booked) : [];
    booked.push(`${args.date} ${args.time}`);
    call.state.booked = booked;
    call.state.patient_name = args.patient_name;
    call.state.appointment = `${args.date} at ${args.time}`;
    return { booked: true, reference, when: call.state.appointment };
  },
};
