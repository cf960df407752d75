package dev.dialtone.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;

import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderException;

/** JSON the chat clients need beyond {@link Json}: tool schemas and tool-call arguments. */
public final class ChatJson {

    private ChatJson() {
    }

    /** Parses a tool's JSON Schema (ours, from a plugin) for embedding in a request. */
    public static ObjectNode schema(ToolSpec tool) {
        try {
            if (Json.MAPPER.readTree(tool.parametersJsonSchema()) instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new IllegalArgumentException("tool " + tool.name() + " has a parameters schema that is not a JSON object");
    }

    /**
     * Whether OpenAI's strict structured outputs take this schema: every object closes its
     * properties ({@code additionalProperties: false}) and requires them all. A schema that does not
     * is sent with {@code strict: false} (OpenAI refuses it as strict), and the answer checked after.
     */
    public static boolean strictFits(JsonNode schema) {
        if (schema.isObject()) {
            if (schema.has("properties")) {
                var required = new HashSet<String>();
                schema.path("required").forEach(r -> required.add(r.asText()));
                var names = new ArrayList<String>();
                schema.path("properties").fieldNames().forEachRemaining(names::add);
                if (!schema.path("additionalProperties").isBoolean() || schema.path("additionalProperties").asBoolean()
                    || !required.containsAll(names)) {
                    return false;
                }
            }
            for (var child : schema) {
                if (!strictFits(child)) {
                    return false;
                }
            }
        } else if (schema.isArray()) {
            for (var child : schema) {
                if (!strictFits(child)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Checks that reassembled tool arguments are one JSON object. */
    public static String toolArguments(String provider, String toolName, String json) throws ProviderException {
        var text = json == null || json.isBlank() ? "{}" : json;
        try {
            if (Json.MAPPER.readTree(text) instanceof ObjectNode) {
                return text;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                "arguments of tool call " + toolName + " are not a JSON object: " + ProviderError.abbreviate(text), true));
    }
}
