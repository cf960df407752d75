package dev.dialtone.llm;

import dev.dialtone.net.ProviderError;

/** What a {@link ChatStream} reports, in order. */
public sealed interface ChatEvent {

    /** A piece of the reply text, as soon as the provider sent it. */
    record TextDelta(String text) implements ChatEvent {
    }

    /** One tool call whose arguments are complete; parallel calls arrive as separate events. */
    record ToolCallReady(ToolCall call) implements ChatEvent {
    }

    /**
     * The stream ended normally.
     *
     * @param finishReason normalised: "stop", "length", "tool_calls", "content_filter", or the
     *                     provider's own word when it has no equivalent
     */
    record Done(String finishReason, Usage usage) implements ChatEvent {
    }

    /** The stream failed; nothing more follows. */
    record Failed(ProviderError error) implements ChatEvent {
    }

    /** Token counts as reported by the provider (zero when it reported none). */
    record Usage(int inputTokens, int outputTokens) {
        public static final Usage NONE = new Usage(0, 0);
    }

    /** Whether no event can follow this one. */
    static boolean isTerminal(ChatEvent event) {
        return event instanceof Done || event instanceof Failed;
    }
}
