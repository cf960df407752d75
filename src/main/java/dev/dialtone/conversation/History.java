package dev.dialtone.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.plugin.ToolOutcome;

/**
 * The conversation as the LLM sees it: what the caller said, what the agent said that the caller
 * heard, and the tool calls with their results, in order. Call's thread only.
 *
 * <p>It stays a history both LLM APIs accept, whatever a barge-in cuts: no message without
 * content, and every tool call answered by exactly one result, in the order of the calls, right
 * after the message that made them.
 */
final class History {
    /** The result of a call that a barge-in cut short (every call needs a result). */
    static final String INTERRUPTED = "{\"error\":\"interrupted: the caller spoke before this result came back\"}";
    private static final int NONE = -1;

    private final List<ChatMessage> messages = new ArrayList<>();

    void caller(String text) {
        if (!text.isBlank()) {
            messages.add(new ChatMessage.User(text));
        }
    }

    /**
     * Adds what the agent said; returns its position, so a barge-in can cut it to what was heard,
     * or -1 when there is nothing to add (an empty reply is not a message).
     */
    int agent(String text) {
        if (text.isBlank()) {
            return NONE;
        }
        messages.add(new ChatMessage.Assistant(text));
        return messages.size() - 1;
    }

    /** The agent's text before it called tools, with the calls; returns its position. */
    int toolCalls(String text, List<ToolCall> calls) {
        messages.add(new ChatMessage.Assistant(text, calls));
        return messages.size() - 1;
    }

    /**
     * Cuts the agent's message at {@code position} to what the caller heard. Its tool calls stay
     * (they were made); a message left with neither text nor calls is removed. Only the last
     * message of a reply can be text alone, so removing it moves no other position.
     */
    void cutAgent(int position, String heard) {
        var said = (ChatMessage.Assistant) messages.get(position);
        if (heard.isBlank() && said.toolCalls().isEmpty()) {
            messages.remove(position);
        } else {
            messages.set(position, new ChatMessage.Assistant(heard, said.toolCalls()));
        }
    }

    /** One result per call, in the order of the calls, as the LLM APIs require. */
    void toolResults(List<ToolCall> calls, Map<String, ToolOutcome> outcomes) {
        for (var call : calls) {
            var outcome = outcomes.get(call.id());
            if (outcome == null) {
                messages.add(interrupted(call));
            } else {
                messages.add(result(call, outcome));
            }
        }
    }

    /**
     * A barge-in while tools run: calls that finished keep their result (what they did happened),
     * the others get one that says they were interrupted.
     */
    void interruptedTools(List<ToolCall> calls, Map<String, ToolOutcome> finished) {
        toolResults(calls, finished);
    }

    List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    private static ChatMessage.ToolResult result(ToolCall call, ToolOutcome outcome) {
        return new ChatMessage.ToolResult(call.id(), call.name(), outcome.forModel(), outcome instanceof ToolOutcome.Failure);
    }

    private static ChatMessage.ToolResult interrupted(ToolCall call) {
        return new ChatMessage.ToolResult(call.id(), call.name(), INTERRUPTED, true);
    }
}
