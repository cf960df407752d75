package dev.dialtone.llm;

import java.util.List;
import java.util.Objects;

/** One entry of a conversation history, in the shape both OpenAI and Anthropic can express. */
public sealed interface ChatMessage {

    /** What the caller said. */
    record User(String text) implements ChatMessage {
        public User {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * What the agent said (only what the caller heard, after a barge-in) and the tools it called in
     * the same turn. {@code text} may be empty when the turn was only tool calls.
     */
    record Assistant(String text, List<ToolCall> toolCalls) implements ChatMessage {
        public Assistant {
            text = text == null ? "" : text;
            toolCalls = List.copyOf(toolCalls);
        }

        public Assistant(String text) {
            this(text, List.of());
        }
    }

    /** The outcome of one tool call, answering the {@link ToolCall} with the same id. */
    record ToolResult(String callId, String toolName, String contentJson, boolean isError) implements ChatMessage {
        public ToolResult {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(toolName, "toolName");
            Objects.requireNonNull(contentJson, "contentJson");
        }
    }
}
