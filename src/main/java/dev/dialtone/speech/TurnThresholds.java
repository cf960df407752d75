package dev.dialtone.speech;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * When a provider that decides the end of a turn itself (Deepgram Flux) ends one: the confidence it
 * needs, and the silence after which it ends the turn whatever its confidence. Empty values are the
 * provider's own defaults.
 *
 * @param eotThreshold Flux {@code eot_threshold} (0.5-0.9 documented for the URL, default 0.7)
 * @param eotTimeoutMs Flux {@code eot_timeout_ms} (default 5000)
 */
public record TurnThresholds(OptionalDouble eotThreshold, OptionalInt eotTimeoutMs) {
    public static final TurnThresholds NONE = new TurnThresholds(OptionalDouble.empty(), OptionalInt.empty());

    /** These, with empty values taken from {@code base}. */
    public TurnThresholds over(TurnThresholds base) {
        return new TurnThresholds(eotThreshold.isPresent() ? eotThreshold : base.eotThreshold,
                eotTimeoutMs.isPresent() ? eotTimeoutMs : base.eotTimeoutMs);
    }
}
