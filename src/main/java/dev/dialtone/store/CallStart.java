package dev.dialtone.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The start of a call: who called which flow, at which version. Numbers may be empty (a
 * withheld caller id) but not null.
 *
 * @param flowVersion hash of the flow version the call runs with for its whole life
 */
public record CallStart(String callSid, String flowName, String flowVersion, String from, String to,
                        Direction direction, Instant startedAt) implements CallRecord {

    public CallStart {
        Require.sid(callSid);
        flowName = Require.orEmpty(flowName);
        flowVersion = Require.orEmpty(flowVersion);
        from = Require.orEmpty(from);
        to = Require.orEmpty(to);
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
