package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the fake LLMs promise about a structured answer, as the real APIs do: OpenAI's strict
 * json_schema output and Anthropic's forced tool input fit their schema. A script that breaks this
 * is a broken test, not a behaviour to imitate, so the fake refuses to send it.
 */
final class StructuredAnswers {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    private StructuredAnswers() {
    }

    static void requireFits(String json, JsonNode schema) {
        JsonNode value;
        try {
            value = FakeLlmServer.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("a structured answer must be JSON", e);
        }
        var problems = FACTORY.getSchema(schema).validate(value);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the real API never answers outside its schema: " + problems);
        }
    }

    /** The input_schema of the request's tool with this name. */
    static JsonNode inputSchema(JsonNode request, String tool) {
        for (var t : request.path("tools")) {
            if (t.path("name").asText().equals(tool)) {
                return t.path("input_schema");
            }
        }
        throw new IllegalStateException("no tool " + tool + " in the request");
    }
}
