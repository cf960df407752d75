package dev.dialtone.flow;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What flows may name as providers, the settings each provider understands beyond the common ones,
 * the ranges where the providers' APIs differ, the model a call uses when a flow names none, and
 * which environment variable holds each provider's API key. Retired models are in
 * {@link ModelRetirements}.
 */
public final class ProviderCatalog {
    static final Map<String, Set<String>> KNOWN = Map.of(
            "stt", Set.of("deepgram"),
            "llm", Set.of("openai", "anthropic"),
            "tts", Set.of("deepgram", "elevenlabs"));

    /** Provider-specific settings: block -> setting -> providers that understand it. */
    static final Map<String, Map<String, Set<String>>> EXTRAS = Map.of(
            "stt", Map.of("endpointing", Set.of("deepgram"), "utterance_end_ms", Set.of("deepgram"),
                    "keyterms", Set.of("deepgram"), "smart_format", Set.of("deepgram")),
            "llm", Map.of("max_tokens", Set.of("openai", "anthropic")),
            "tts", Map.of("stability", Set.of("elevenlabs"), "similarity_boost", Set.of("elevenlabs"),
                    "speed", Set.of("elevenlabs"), "style", Set.of("elevenlabs")));

    /**
     * The sampling temperatures each LLM API accepts; outside them the API answers 400
     * invalid_request_error, so every call would fail. OpenAI: 0 to 2
     * (https://platform.openai.com/docs/api-reference/chat/create, "temperature"); Anthropic: 0 to 1
     * (https://docs.anthropic.com/en/api/messages, "temperature"). Both refuse max_tokens below 1,
     * which the common max_tokens range already excludes.
     */
    static final Map<String, Range> TEMPERATURE = Map.of(
            "openai", new Range(0, 2),
            "anthropic", new Range(0, 1));

    /** The model a call uses when its flow's llm block names none (validation judges that one too). */
    static final Map<String, String> DEFAULT_MODELS = Map.of(
            "openai", "gpt-4o-mini",
            "anthropic", "claude-haiku-4-5");

    static final Map<String, String> KEY_VARIABLES = Map.of(
            "deepgram", "DEEPGRAM_API_KEY",
            "openai", "OPENAI_API_KEY",
            "anthropic", "ANTHROPIC_API_KEY",
            "elevenlabs", "ELEVENLABS_API_KEY");

    /** A text-to-speech provider's voice and model when a flow names none. */
    public record DefaultVoice(String voice, String model) {
    }

    private static final Map<String, DefaultVoice> DEFAULT_VOICES = Map.of(
            "deepgram", new DefaultVoice("aura-2-thalia-en", ""),
            "elevenlabs", new DefaultVoice("21m00Tcm4TlvDq8ikWAM", "eleven_flash_v2_5"));

    /** An inclusive range of numbers. */
    record Range(double min, double max) {
    }

    private ProviderCatalog() {
    }

    /**
     * Whether a model is one of OpenAI's reasoning models (o1, o3, o4-mini, gpt-5 but its chat
     * variant, gpt-6): their API refuses {@code max_tokens} (the client sends
     * {@code max_completion_tokens} to OpenAI) and any temperature but 1.
     */
    public static boolean isReasoningModel(String provider, String model) {
        return provider.equals("openai")
               && (model.matches("o\\d.*") || model.startsWith("gpt-6")
                   || (model.startsWith("gpt-5") && !model.startsWith("gpt-5-chat")));
    }

    /** The voice (and model) a call's text-to-speech uses when its flow names none. */
    public static DefaultVoice defaultVoice(String provider) {
        return DEFAULT_VOICES.getOrDefault(provider, DEFAULT_VOICES.get("deepgram"));
    }

    /** The model a call uses when its flow names none. */
    public static String defaultModel(String provider) {
        return DEFAULT_MODELS.getOrDefault(provider, DEFAULT_MODELS.get("openai"));
    }

    /** Provider names whose API key variable is set (non-blank) in {@code env}. */
    public static Set<String> configuredIn(Map<String, String> env) {
        var out = new TreeSet<String>();
        KEY_VARIABLES.forEach((provider, variable) -> {
            var value = env.get(variable);
            if (value != null && !value.isBlank()) {
                out.add(provider);
            }
        });
        return Set.copyOf(out);
    }

    static List<String> known(String block) {
        return KNOWN.get(block).stream().sorted().toList();
    }
}
