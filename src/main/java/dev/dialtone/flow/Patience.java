package dev.dialtone.flow;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A node's {@code patience:}: longer end-of-turn thresholds while the call is in it, for a caller
 * reading out a phone number, a date of birth or an address. Nova's settings ({@code endpointing_ms},
 * {@code utterance_end_ms}) and Flux's ({@code eot_threshold}, {@code eot_timeout_ms}) may both be
 * given; the flow's STT model uses its own. Empty values keep the flow's {@code stt} setting.
 */
public record Patience(OptionalInt endpointingMs, OptionalInt utteranceEndMs, OptionalDouble eotThreshold,
                       OptionalInt eotTimeoutMs) {

    /**
     * {@code patience: long}: 1.2 s of silence before Nova ends a turn (4 times its 300 ms default,
     * long enough for the pauses between the groups of a phone number), 2.5 s before its word-gap
     * fallback; Flux needs confidence 0.9 (the most its URL takes) and ends the turn after 8 s of
     * silence whatever its confidence (its default is 5 s).
     */
    public static final Patience LONG = new Patience(OptionalInt.of(1200), OptionalInt.of(2500), OptionalDouble.of(0.9),
            OptionalInt.of(8000));
}
