package dev.dialtone.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The project's one JSON mapper, with reading and writing helpers (provider messages fail as provider errors). */
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

    /** Reads JSON text into a tree. */
    public static JsonNode read(String json) throws JsonProcessingException {
        return MAPPER.readTree(json);
    }

    /** A string as a JSON string literal. */
    public static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Any value Jackson can write (maps, lists, records), as JSON text. */
    public static String writeValue(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
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
