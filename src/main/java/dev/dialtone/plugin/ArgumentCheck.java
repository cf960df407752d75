package dev.dialtone.plugin;

import dev.dialtone.net.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.Set;

/**
 * A plugin's {@code parameters} JSON Schema, checked once against the draft-07 meta-schema when the
 * plugin loads, then used to check each call's arguments before {@code run} sees them. A flow's
 * post-call analysis checks the LLM's answer with the same checker.
 */
public final class ArgumentCheck {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private static final JsonSchema META = FACTORY.getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"));

    private final JsonSchema schema;

    private ArgumentCheck(JsonSchema schema) {
        this.schema = schema;
    }

    /** Compiles a parameters schema, or says why it is not a usable one. */
    public static ArgumentCheck of(String schemaJson) throws IllegalArgumentException {
        JsonNode node;
        try {
            node = Json.read(schemaJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("parameters is not JSON: " + e.getOriginalMessage());
        }
        var problems = META.validate(node);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("parameters is not a valid JSON Schema: " + join(problems));
        }
        if (!"object".equals(node.path("type").asText())) {
            throw new IllegalArgumentException("parameters must be a JSON Schema with type: \"object\"");
        }
        return new ArgumentCheck(FACTORY.getSchema(node));
    }

    /** Why these arguments do not fit the schema, if they do not. */
    public Optional<String> problem(String argumentsJson) {
        JsonNode args;
        try {
            args = Json.read(argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson);
        } catch (JsonProcessingException e) {
            return Optional.of("arguments are not valid JSON: " + e.getOriginalMessage());
        }
        if (!args.isObject()) {
            return Optional.of("arguments must be a JSON object");
        }
        var problems = schema.validate(args);
        return problems.isEmpty() ? Optional.empty() : Optional.of(join(problems));
    }

    private static String join(Set<ValidationMessage> problems) {
        return problems.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; "));
    }
}
