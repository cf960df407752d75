package dev.dialtone.store;

import java.time.Instant;
import java.util.Objects;

/** The end of a call: when, why (e.g. "caller hung up", "end_call", "max duration"), and how. */
public record CallEnd(String callSid, Instant endedAt, String endReason, CallStatus status)
        implements CallRecord {

    public CallEnd {
        Require.sid(callSid);
        Objects.requireNonNull(endedAt, "endedAt");
        endReason = Require.orEmpty(endReason);
        Objects.requireNonNull(status, "status");
        if (status == CallStatus.ACTIVE) {
            throw new IllegalArgumentException("an ended call is COMPLETED or FAILED, not ACTIVE");
        }
    }
}
