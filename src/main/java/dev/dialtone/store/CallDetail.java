package dev.dialtone.store;

import java.util.List;
import java.util.Optional;

/**
 * Everything kept about one call: its summary, its turns in order (with their tool calls and
 * timings), its events in time order, its usage summed per provider and kind, and its post-call
 * analysis if it has one.
 */
public record CallDetail(CallSummary summary, List<TurnRecord> turns, List<EventRecord> events,
                         List<UsageRecord> usage, Optional<AnalysisRecord> analysis) {

    /** A call without an analysis. */
    public CallDetail(CallSummary summary, List<TurnRecord> turns, List<EventRecord> events, List<UsageRecord> usage) {
        this(summary, turns, events, usage, Optional.empty());
    }

    public CallDetail {
        turns = List.copyOf(turns);
        events = List.copyOf(events);
        usage = List.copyOf(usage);
    }
}
