package dev.dialtone.store;

import java.time.Instant;
import java.util.Objects;

/**
 * An event that matters in a call (transfer, hang-up, error, ...) with its time and detail; the
 * store keeps the first 8,000 characters of the detail.
 */
public record EventRecord(String callSid, Instant at, EventKind kind, String detail) implements CallRecord {

    public EventRecord {
        Require.sid(callSid);
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        detail = Require.orEmpty(detail);
    }
}
