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
 */
final class History {
    private final List<ChatMessage> messages = new ArrayList<>();

    void caller(String text) {
        messages.add(new ChatMessage.User(text));
    }

    /** Adds what the agent said; returns its position, so a barge-in can cut it to what was heard. */
    int agent(String text) {
        messages.add(new ChatMessage.Assistant(text));
        return messages.size() - 1;
    }

    void cutAgent(int position, String heard) {
        messages.set(position, new ChatMessage.Assistant(heard));
    }

    /** The agent's text before it called tools, with the calls. */
    void toolCalls(String text, List<ToolCall> calls) {
        messages.add(new ChatMessage.Assistant(text, calls));
    }

    /** One result per call, in the order of the calls, as the LLM APIs require. */
    void toolResults(List<ToolCall> calls, Map<String, ToolOutcome> outcomes) {
        for (var call : calls) {
            var outcome = outcomes.get(call.id());
            messages.add(new ChatMessage.ToolResult(call.id(), call.name(), outcome.forModel(),
                                                    outcome instanceof ToolOutcome.Failure));
        }
    }

    /** The calls a barge-in cut short get a result that says so (every call needs one). */
    void interruptedTools(List<ToolCall> calls, Map<String, ToolOutcome> finished) {
        for (var call : calls) {
            if (!finished.containsKey(call.id())) {
                messages.add(new ChatMessage.ToolResult(call.id(), call.name(),
                        "{\"error\":\"cancelled: the caller interrupted\"}", true));
            }
        }
    }

    List<ChatMessage> messages() {
        return List.copyOf(messages);
    }
}
