package dev.dialtone.flow;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the code needs to know of each provider a flow may name: the model a call uses when a flow
 * names none, the voice, which environment variable holds the API key, which OpenAI models are
 * reasoning models. Which providers exist, their settings and the ranges their APIs accept are the
 * schema's (flows/flow.schema.json; a test holds these maps to its provider names). Retired models
 * are in {@link ModelRetirements}.
 */
public final class ProviderCatalog {
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

    static final Map<String, DefaultVoice> DEFAULT_VOICES = Map.of(
            "deepgram", new DefaultVoice("aura-2-thalia-en", ""),
            "elevenlabs", new DefaultVoice("21m00Tcm4TlvDq8ikWAM", "eleven_flash_v2_5"));

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

    /** The environment variable that holds a provider's API key, e.g. OPENAI_API_KEY. */
    public static String keyVariable(String provider) {
        return KEY_VARIABLES.getOrDefault(provider, provider.toUpperCase(Locale.ROOT) + "_API_KEY");
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
}
