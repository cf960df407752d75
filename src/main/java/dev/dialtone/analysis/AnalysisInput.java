package dev.dialtone.analysis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an analysis reads about one call: who called, how it ended, the state it ended with (masked
 * values masked) and its turns as recorded (redacted when the flow redacts). From the live record
 * when a call ends, or from the store when an analysis is run again.
 */
public record AnalysisInput(String callSid, String flow, String flowVersion, String from, String to, Instant startedAt,
                            Optional<String> endReason, Map<String, String> state, List<Line> lines) {
    /** One turn: what the caller said and what the agent said that was heard. */
    public record Line(String caller, String agent) {
    }

    public AnalysisInput {
        state = Map.copyOf(state);
        lines = List.copyOf(lines);
    }
}
