package dev.dialtone.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.net.ProviderError;

/**
 * An LLM in memory: it records each request and streams whatever the test makes the current
 * stream emit. A cancelled stream emits nothing more, as {@link ChatStream#cancel} promises.
 */
final class ScriptedChatModel implements ChatModel {
    final List<ChatRequest> requests = new ArrayList<>();
    private final List<Stream> streams = new ArrayList<>();
    private Runnable afterEvent = () -> { };

    /** Runs after each event the test makes a stream emit (a harness drains its mailbox there). */
    ScriptedChatModel afterEvent(Runnable action) {
        afterEvent = action;
        return this;
    }

    @Override
    public synchronized ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
        requests.add(request);
        var stream = new Stream(listener, afterEvent);
        streams.add(stream);
        return stream;
    }

    /** The latest stream, if it is still open (neither finished nor cancelled). */
    synchronized Stream open() {
        var last = streams.isEmpty() ? null : streams.getLast();
        return last != null && !last.ended ? last : null;
    }

    static final class Stream implements ChatStream {
        private final Consumer<ChatEvent> listener;
        private final Runnable afterEvent;
        boolean ended;
        boolean cancelled;

        Stream(Consumer<ChatEvent> listener, Runnable afterEvent) {
            this.listener = listener;
            this.afterEvent = afterEvent;
        }

        void text(String text) {
            emit(new ChatEvent.TextDelta(text));
        }

        void toolCall(String id, String name, String key) {
            emit(new ChatEvent.ToolCallReady(new ToolCall(id, name, "{\"key\":\"" + key + "\"}")));
        }

        void toolCallWith(String id, String name, String argumentsJson) {
            emit(new ChatEvent.ToolCallReady(new ToolCall(id, name, argumentsJson)));
        }

        void done() {
            var event = new ChatEvent.Done("stop", ChatEvent.Usage.NONE);
            ended = true;
            listener.accept(event);
            afterEvent.run();
        }

        void fail(ProviderError error) {
            var event = new ChatEvent.Failed(error);
            ended = true;
            listener.accept(event);
            afterEvent.run();
        }

        private void emit(ChatEvent event) {
            if (!ended) {
                listener.accept(event);
                afterEvent.run();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            ended = true;
        }
    }
}
