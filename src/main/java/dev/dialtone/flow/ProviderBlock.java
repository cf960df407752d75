package dev.dialtone.flow;

import java.util.Map;
import java.util.Optional;

/**
 * One of a flow's stt, llm or tts settings: the provider, its common settings, and the
 * provider-specific extras (e.g. Deepgram's endpointing, utterance_end_ms, keyterms), keyed as
 * written in the flow file with values of type Integer, Double, Boolean, String or List of String.
 */
public record ProviderBlock(String provider, Optional<String> model, Optional<String> language, Optional<String> voice,
                            Optional<Double> temperature, Map<String, Object> extras) {
    public ProviderBlock {
        extras = Map.copyOf(extras);
    }

    static ProviderBlock of(String provider, String model) {
        return new ProviderBlock(provider, Optional.ofNullable(model), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** An extra setting as an integer, if set. */
    public Optional<Integer> intExtra(String key) {
        return extras.get(key) instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
    }
}
