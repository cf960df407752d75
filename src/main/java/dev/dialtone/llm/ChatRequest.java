package dev.dialtone.llm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to a chat model: the flow's {@code llm} block plus the call's history.
 *
 * @param model        provider model name, e.g. "gpt-4o-mini"
 * @param temperature  sampling temperature, empty for the provider's default
 * @param maxTokens    output token limit (Anthropic requires one; 1024 is used when empty)
 * @param systemPrompt the role and rules, sent as the system message
 * @param history      the conversation so far, oldest first
 * @param tools        tools the model may call (may be empty)
 * @param output       structured output: the answer is one JSON value fitting this schema (OpenAI's
 *                     {@code response_format: json_schema}, as text; Anthropic's tool forced with
 *                     {@code tool_choice}, as that tool's call), instead of a conversational reply
 */
public record ChatRequest(String model, Optional<Double> temperature, Optional<Integer> maxTokens,
                          String systemPrompt, List<ChatMessage> history, List<ToolSpec> tools,
                          Optional<ToolSpec> output) {

    /** A conversational request: no structured output. */
    public ChatRequest(String model, Optional<Double> temperature, Optional<Integer> maxTokens,
                       String systemPrompt, List<ChatMessage> history, List<ToolSpec> tools) {
        this(model, temperature, maxTokens, systemPrompt, history, tools, Optional.empty());
    }

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(maxTokens, "maxTokens");
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        history = List.copyOf(history);
        tools = List.copyOf(tools);
        Objects.requireNonNull(output, "output");
    }
}
