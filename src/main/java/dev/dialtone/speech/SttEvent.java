package dev.dialtone.speech;

import dev.dialtone.net.ProviderError;

import java.util.List;

/**
 * What a speech-to-text session reports. Times are seconds of call audio since the session opened
 * (a reconnect does not restart them).
 */
public sealed interface SttEvent {

    /** One recognised word with its timing. */
    record Word(String word, double start, double end, double confidence) {
    }

    /** Words so far for audio that may still change. */
    record Interim(String text, List<Word> words) implements SttEvent {
    }

    /**
     * Text for audio that will not change. A turn is the concatenation of finals up to one with
     * {@code speechFinal} (the provider's end-of-turn).
     *
     * @param fromFinalize produced by {@link SttSession#finalizeTurn()}
     */
    record Final(String text, List<Word> words, boolean speechFinal, boolean fromFinalize) implements SttEvent {
    }

    /**
     * The caller has probably finished (Deepgram Flux {@code EagerEndOfTurn}): a reply may be
     * prepared but not played; a {@link Final} with {@code speechFinal} or a {@link TurnResumed}
     * follows.
     */
    record EagerEndOfTurn(String text, List<Word> words) implements SttEvent {
    }

    /** The caller went on after an {@link EagerEndOfTurn} (Flux {@code TurnResumed}): drop what was prepared. */
    record TurnResumed() implements SttEvent {
    }

    /** Voice activity began: the fast barge-in signal. */
    record SpeechStarted(double seconds) implements SttEvent {
    }

    /** No words for the utterance-end gap: the fallback end of turn when noise kept speech_final away. */
    record UtteranceEnd(double lastWordEndSeconds) implements SttEvent {
    }

    /** The session failed and will report nothing more. */
    record Failed(ProviderError error) implements SttEvent {
    }

    /** The session ended after {@link SttSession#close()}. */
    record Closed() implements SttEvent {
    }

    static boolean isTerminal(SttEvent event) {
        return event instanceof Failed || event instanceof Closed;
    }
}
