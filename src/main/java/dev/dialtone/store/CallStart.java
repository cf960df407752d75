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
        flowName = Require.atMost(flowName, "flow name", 200);
        flowVersion = Require.atMost(flowVersion, "flow version", 128);
        from = Require.atMost(from, "from", 255);
        to = Require.atMost(to, "to", 255);
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
