package dev.dialtone.llm;

import java.util.Objects;

/**
 * A tool the model may call.
 *
 * @param name                 [a-zA-Z0-9_-]{1,64}, the plugin's file name
 * @param description          what the tool does, for the model
 * @param parametersJsonSchema a JSON Schema object (as JSON text), sent to the provider unchanged
 */
public record ToolSpec(String name, String description, String parametersJsonSchema) {

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-zA-Z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("tool name must match [a-zA-Z0-9_-]{1,64}: " + name);
        }
        description = description == null ? "" : description;
        parametersJsonSchema = parametersJsonSchema == null || parametersJsonSchema.isBlank()
                ? "{\"type\":\"object\",\"properties\":{}}" : parametersJsonSchema;
    }
}
