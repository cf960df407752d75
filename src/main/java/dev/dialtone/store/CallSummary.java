package dev.dialtone.store;

import java.time.Instant;
import java.util.Optional;

/** One call as a history list shows it. {@code endedAt} is null while the call is active. */
public record CallSummary(String sid, String flowName, String flowVersion, String from, String to,
                          Direction direction, Instant startedAt, Instant endedAt, String endReason,
                          CallStatus status, int turnCount) {

    public Optional<Instant> ended() {
        return Optional.ofNullable(endedAt);
    }
}
