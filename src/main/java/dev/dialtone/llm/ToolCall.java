package dev.dialtone.llm;

import java.util.Objects;

/**
 * A complete tool call requested by the model.
 *
 * @param id            the provider's call id, echoed back in {@link ChatMessage.ToolResult}
 * @param name          the tool name
 * @param argumentsJson the arguments as one JSON object text, reassembled from all fragments and
 *                      checked to parse ("{}" when the model sent none)
 */
public record ToolCall(String id, String name, String argumentsJson) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        argumentsJson = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
    }
}
