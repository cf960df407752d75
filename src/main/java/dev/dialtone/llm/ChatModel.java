package dev.dialtone.llm;

import java.util.function.Consumer;

/**
 * A streaming chat LLM with tool calls: the conversation's only view of OpenAI-compatible servers
 * and Anthropic.
 *
 * <p>Lifecycle of one stream: {@link #stream} returns at once; the request runs on a virtual thread
 * and the listener receives {@link ChatEvent.TextDelta}s and {@link ChatEvent.ToolCallReady}s in
 * the order the provider produced them, then exactly one terminal event ({@link ChatEvent.Done} or
 * {@link ChatEvent.Failed}) unless the stream was cancelled first. Events of one stream are never
 * delivered concurrently, and never after the terminal event or after {@link ChatStream#cancel}
 * returned.
 */
public interface ChatModel {

    /** Starts one streaming request. Never throws for provider failures: they arrive as {@code Failed}. */
    ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener);
}
