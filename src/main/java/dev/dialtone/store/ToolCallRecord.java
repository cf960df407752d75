package dev.dialtone.store;

import java.util.Objects;
import java.util.Optional;

/**
 * One tool call made during a turn. The store keeps JSON up to 200,000 characters as it is; a
 * longer one is kept as {"truncated":true,"length":N,"head":"..."}, and an error up to 8,000
 * characters.
 *
 * @param argumentsJson the arguments the LLM gave, as JSON text
 * @param resultJson    the result as JSON text; null when the tool failed
 * @param error         why the tool failed; null when it succeeded
 */
public record ToolCallRecord(String name, String argumentsJson, String resultJson, long durationMs,
                             String error) {

    public ToolCallRecord {
        Require.text(name, "tool name", 200);
        argumentsJson = argumentsJson == null ? "{}" : argumentsJson;
        Require.nonNegative(durationMs, "durationMs");
    }

    public static ToolCallRecord succeeded(String name, String argumentsJson, String resultJson, long durationMs) {
        return new ToolCallRecord(name, argumentsJson, Objects.requireNonNull(resultJson, "resultJson"),
                durationMs, null);
    }

    public static ToolCallRecord failed(String name, String argumentsJson, String error, long durationMs) {
        return new ToolCallRecord(name, argumentsJson, null, durationMs, Objects.requireNonNull(error, "error"));
    }

    public Optional<String> result() {
        return Optional.ofNullable(resultJson);
    }

    public Optional<String> failure() {
        return Optional.ofNullable(error);
    }
}
