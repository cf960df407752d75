package dev.dialtone.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the provider clients, and reading and writing with provider errors. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Parses a provider's message; malformed JSON is a non-retryable protocol error of that provider. */
    public static JsonNode parse(String provider, String json) throws ProviderException {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                    "malformed JSON: " + ProviderError.abbreviate(json), false));
        }
    }

    /** A tree as compact JSON text. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
