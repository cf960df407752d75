package dev.dialtone.store;

import java.util.List;

/**
 * Everything kept about one call: its summary, its turns in order (with their tool calls and
 * timings), its events in time order, and its usage summed per provider and kind.
 */
public record CallDetail(CallSummary summary, List<TurnRecord> turns, List<EventRecord> events,
                         List<UsageRecord> usage) {

    public CallDetail {
        turns = List.copyOf(turns);
        events = List.copyOf(events);
        usage = List.copyOf(usage);
    }
}
