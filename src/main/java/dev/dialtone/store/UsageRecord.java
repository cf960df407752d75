package dev.dialtone.store;

import java.util.Objects;

/**
 * Usage of one provider by one call, in the units its {@link UsageKind} names. The recorder takes
 * increments (each one is kept once, even when a write is retried); a {@link CallDetail} reports
 * the sums per provider and kind.
 */
public record UsageRecord(String callSid, String provider, UsageKind kind, long input, long output)
        implements CallRecord {

    public UsageRecord {
        Require.sid(callSid);
        Require.text(provider, "provider", 100);
        Objects.requireNonNull(kind, "kind");
        Require.nonNegative(input, "input");
        Require.nonNegative(output, "output");
    }
}
