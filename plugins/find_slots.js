// Free appointment times at the clinic. With plugins.config.find_slots.schedule_url set (and the
// host allow-listed), asks the practice's scheduling system ({url}?date=YYYY-MM-DD returns
// {"slots":["09:00",...]}); otherwise offers the clinic's standard hours minus booked times.
const HOURS = ["08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"];

export default {
  description: "Find free appointment times on a given date at Maple Street Clinic.",
  parameters: {
    type: "object",
    properties: {
      date: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "The day, as YYYY-MM-DD" },
      part_of_day: { type: "string", enum: ["morning", "afternoon", "any"] },
    },
    required: ["date"],
  },
  say: "Let me look at the schedule.",
  timeoutMs: 4000,
  async run(args, call) {
    const day = new Date(`${args.date}T12:00:00Z`).getUTCDay();
    if (Number.isNaN(day)) {
      return { date: args.date, error: "not a real date" };
    }
    if (day === 0 || day === 6) {
      return { date: args.date, slots: [], note: "The clinic is closed at weekends." };
    }
    let slots = HOURS;
    if (call.config.schedule_url) {
      const response = await call.http.fetch(`${call.config.schedule_url}?date=${args.date}`, {
        headers: { Authorization: `Bearer ${call.config.token || ""}` },
      });
      if (!response.ok) {
        return { date: args.date, error: `the schedule answered ${response.status}` };
      }
      slots = response.json().slots;
    }
    const booked = call.state.booked ? JSON.parse(call.state.booked) : [];
    const part = args.part_of_day || "any";
    const free = slots
      .filter((t) => !booked.includes(`${args.date} ${t}`))
      .filter((t) => part === "any" || (part === "morning" ? t < "12:00" : t >= "12:00"));
    return { date: args.date, slots: free.slice(0, 6) };
  },
};
