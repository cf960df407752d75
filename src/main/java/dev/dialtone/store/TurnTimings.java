package dev.dialtone.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When each stage of a turn happened, from the conversation's clock. Each instant is null when
 * that stage did not happen (a barge-in before any audio, a turn with no LLM call, ...). The
 * latency of a stage is its instant minus {@code callerSpeechEnded}; see {@link #sinceSpeechEnd}.
 * The store keeps instants to the microsecond.
 */
public record TurnTimings(Instant callerSpeechEnded, Instant sttFinal, Instant llmFirstToken,
                          Instant firstSegmentClosed, Instant ttsFirstAudio, Instant firstAudioSent) {

    /** A turn with no timings (e.g. a greeting spoken before the caller said anything). */
    public static final TurnTimings NONE = new TurnTimings(null, null, null, null, null, null);

    /** Milliseconds from the end of the caller's speech to {@code stage}, when both are known. */
    public Optional<Long> sinceSpeechEnd(Instant stage) {
        if (callerSpeechEnded == null || stage == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(callerSpeechEnded, stage).toMillis());
    }
}
