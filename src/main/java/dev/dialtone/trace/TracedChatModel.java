package dev.dialtone.trace;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;

/**
 * One call's LLM client with a span per request: from the request to its last event, with the
 * first token as an event, the model and token counts as attributes, an error status for a
 * failure and {@code dialtone.cancelled} for a barge-in.
 */
final class TracedChatModel implements ChatModel {
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    private static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
    private static final AttributeKey<Long> INPUT = AttributeKey.longKey("gen_ai.usage.input_tokens");
    private static final AttributeKey<Long> OUTPUT = AttributeKey.longKey("gen_ai.usage.output_tokens");
    private static final AttributeKey<String> FINISH = AttributeKey.stringKey("gen_ai.response.finish_reason");
    static final AttributeKey<Boolean> CANCELLED = AttributeKey.booleanKey("dialtone.cancelled");

    private final ChatModel model;
    private final String provider;
    private final Supplier<Optional<Context>> parent;
    private final Tracer tracer;
    private final String callSid;

    TracedChatModel(ChatModel model, String provider, Supplier<Optional<Context>> parent, Tracer tracer, String callSid) {
        this.model = model;
        this.provider = provider;
        this.parent = parent;
        this.tracer = tracer;
        this.callSid = callSid;
    }

    @Override
    public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
        var context = parent.get();
        if (context.isEmpty()) {
            return model.stream(request, listener); // the call is not traced (it ended)
        }
        var span = tracer.spanBuilder("llm " + provider).setParent(context.get()).setSpanKind(SpanKind.CLIENT)
                .setAttribute(CallTracer.CALL_SID, callSid).setAttribute(SYSTEM, provider)
                .setAttribute(MODEL, request.model()).startSpan();
        var ended = new AtomicBoolean();
        var firstToken = new AtomicBoolean();
        var stream = model.stream(request, event -> {
            switch (event) {
                case ChatEvent.TextDelta d -> first(span, firstToken);
                case ChatEvent.ToolCallReady t -> first(span, firstToken);
                case ChatEvent.Done done -> {
                    span.setAttribute(FINISH, done.finishReason());
                    span.setAttribute(INPUT, (long) done.usage().inputTokens());
                    span.setAttribute(OUTPUT, (long) done.usage().outputTokens());
                    end(span, ended);
                }
                case ChatEvent.Failed failed -> {
                    span.setStatus(StatusCode.ERROR, failed.error().kind().name());
                    end(span, ended);
                }
            }
            listener.accept(event);
        });
        return () -> {
            stream.cancel();
            if (!ended.get()) {
                span.setAttribute(CANCELLED, true);
                end(span, ended);
            }
        };
    }

    private static void first(Span span, AtomicBoolean seen) {
        if (seen.compareAndSet(false, true)) {
            span.addEvent("first token");
        }
    }

    private static void end(Span span, AtomicBoolean ended) {
        if (ended.compareAndSet(false, true)) {
            span.end();
        }
    }
}
