package dev.dialtone.speech;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The flow's {@code stt} block, as a provider needs it.
 *
 * @param model          e.g. "nova-3", or "flux-general-en" (Deepgram Flux: the turn is the model's)
 * @param language       e.g. "en-US"
 * @param endpointingMs  silence that ends a turn (Deepgram {@code endpointing}); empty disables
 * @param utteranceEndMs silence after the last word before an UtteranceEnd (1000 documented); empty disables
 * @param keyterms       words to favour (nova-3 {@code keyterm}, older models {@code keywords})
 * @param smartFormat    numbers, dates and punctuation formatted
 * @param turn           Flux's end-of-turn thresholds; empty ones are the provider's defaults
 * @param eagerEotThreshold Flux: confidence for an EagerEndOfTurn; empty: no eager events
 */
public record SttOptions(String model, String language, OptionalInt endpointingMs, OptionalInt utteranceEndMs,
                         List<String> keyterms, boolean smartFormat, TurnThresholds turn, OptionalDouble eagerEotThreshold) {

    public SttOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(turn, "turn");
        keyterms = List.copyOf(keyterms);
    }

    /** Options for a model without Flux's thresholds. */
    public SttOptions(String model, String language, OptionalInt endpointingMs, OptionalInt utteranceEndMs,
                      List<String> keyterms, boolean smartFormat) {
        this(model, language, endpointingMs, utteranceEndMs, keyterms, smartFormat, TurnThresholds.NONE, OptionalDouble.empty());
    }

    /** Defaults for phone calls: nova-3, en-US, 300 ms endpointing, 1000 ms utterance end. */
    public static SttOptions defaults() {
        return new SttOptions("nova-3", "en-US", OptionalInt.of(300), OptionalInt.of(1000), List.of(), true);
    }
}
