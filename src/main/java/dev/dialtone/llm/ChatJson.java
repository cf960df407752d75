package dev.dialtone.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON helpers shared by the chat clients: one mapper, and parse failures as protocol errors. */
public final class ChatJson {
    /** Thread-safe once configured; shared by all chat clients. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private ChatJson() {
    }

    /** Parses a provider's event data; bad JSON is the provider's protocol error. */
    public static JsonNode parse(String provider, String json) throws ProviderException {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                    "malformed JSON in stream: " + ProviderError.abbreviate(json), false));
        }
    }

    /** Parses a tool's JSON Schema (ours, from a plugin) for embedding in a request. */
    public static ObjectNode schema(ToolSpec tool) {
        try {
            if (MAPPER.readTree(tool.parametersJsonSchema()) instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new IllegalArgumentException("tool " + tool.name() + " has a parameters schema that is not a JSON object");
    }

    /** Checks that reassembled tool arguments are one JSON object. */
    public static String toolArguments(String provider, String toolName, String json) throws ProviderException {
        var text = json == null || json.isBlank() ? "{}" : json;
        try {
            if (MAPPER.readTree(text) instanceof ObjectNode) {
                return text;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                "arguments of tool call " + toolName + " are not a JSON object: " + ProviderError.abbreviate(text), true));
    }

    /** Request bodies are built by us from valid parts, so serialising cannot fail. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
