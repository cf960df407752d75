package dev.dialtone.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.ProviderWrap;
import dev.dialtone.conversation.Turn;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.speech.TextToSpeech;

/**
 * Traces calls with OpenTelemetry: one trace per call (a {@code call} span from its start to its
 * end), a {@code turn} span per turn with the turn's marks as events (caller speech end, STT
 * final, LLM first token, first segment, TTS first audio, first audio sent), the provider
 * requests of the turn as child spans ({@code llm <provider>} per request, {@code tts <provider>}
 * per spoken segment) and a {@code tool <name>} span per tool run. Every span carries the CallSid
 * ({@value #CALL_SID_KEY}). Nothing of what was said goes into a span: no text, no tool arguments.
 *
 * <p>It is both the call's {@link CallLog} (the call and turn spans) and the {@link ProviderWrap}
 * of its provider clients (the request spans). Off (the default), neither is installed: see
 * {@link #enabled()}.
 */
public final class CallTracer implements CallLog, ProviderWrap, AutoCloseable {
    static final String CALL_SID_KEY = "dialtone.call_sid";
    static final AttributeKey<String> CALL_SID = AttributeKey.stringKey(CALL_SID_KEY);
    private static final AttributeKey<String> FLOW = AttributeKey.stringKey("dialtone.flow");
    private static final AttributeKey<String> FLOW_VERSION = AttributeKey.stringKey("dialtone.flow_version");
    private static final AttributeKey<Long> TURN = AttributeKey.longKey("dialtone.turn");
    private static final AttributeKey<Boolean> INTERRUPTED = AttributeKey.booleanKey("dialtone.interrupted");
    private static final AttributeKey<String> END_REASON = AttributeKey.stringKey("dialtone.end_reason");

    private final Tracer tracer;
    private final AutoCloseable sdk;
    private final Map<String, CallSpans> calls = new ConcurrentHashMap<>();

    private CallTracer(OpenTelemetry openTelemetry, AutoCloseable sdk) {
        this.tracer = openTelemetry == null ? null : openTelemetry.getTracer("dev.dialtone");
        this.sdk = sdk;
    }

    /** No tracing: {@link #enabled()} is false and the server installs nothing. */
    public static CallTracer off() {
        return new CallTracer(null, null);
    }

    /** Traces through {@code openTelemetry} (tests hand an SDK with an in-memory exporter); closing it is the caller's. */
    public static CallTracer with(OpenTelemetry openTelemetry) {
        return new CallTracer(openTelemetry, null);
    }

    /**
     * Exports over OTLP/HTTP (protobuf) to {@code endpoint} (the collector's base URL, as in
     * {@code OTEL_EXPORTER_OTLP_ENDPOINT}: spans go to {@code /v1/traces} under it), in batches.
     */
    public static CallTracer otlp(String endpoint, String serviceName, String instanceId) {
        var base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        var exporter = OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").setTimeout(Duration.ofSeconds(10)).build();
        var resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), serviceName,
                AttributeKey.stringKey("service.instance.id"), instanceId)));
        var provider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
        var sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        return new CallTracer(sdk, sdk);
    }

    public boolean enabled() {
        return tracer != null;
    }

    @Override
    public void started(CallTranscript call) {
        if (tracer == null) {
            return;
        }
        spans(call.callSid(), call.startedAt()).call.setAllAttributes(Attributes.of(
                FLOW, call.flow(), FLOW_VERSION, call.flowVersion()));
    }

    @Override
    public void turn(CallTranscript call, Turn.View turn) {
        var spans = calls.get(call.callSid());
        if (spans == null) {
            return;
        }
        var speechEnd = turn.startedAt().minusMillis(turn.sttFinalMs().orElse(0L));
        var span = spans.finishTurn(speechEnd);
        span.setAttribute(TURN, (long) turn.index());
        span.setAttribute(INTERRUPTED, turn.interrupted());
        if (turn.sttFinalMs().isPresent()) {
            span.addEvent("caller speech end", speechEnd);
        }
        mark(span, "stt final", speechEnd, turn.sttFinalMs());
        mark(span, "llm first token", speechEnd, turn.llmFirstTokenMs());
        mark(span, "first segment", speechEnd, turn.firstSegmentMs());
        mark(span, "tts first audio", speechEnd, turn.ttsFirstAudioMs());
        mark(span, "first audio sent", speechEnd, turn.firstAudioMs());
        var parent = Context.root().with(span);
        for (var tool : turn.tools()) {
            var run = tracer.spanBuilder("tool " + tool.name()).setParent(parent).setAttribute(CALL_SID, call.callSid())
                    .setStartTimestamp(tool.finishedAt().minusMillis(tool.millis())).startSpan();
            if (tool.error()) {
                run.setStatus(StatusCode.ERROR, "the tool failed");
            }
            run.end(tool.finishedAt());
        }
        var end = latest(speechEnd, turn);
        span.end(end.isAfter(Instant.now()) ? end : Instant.now());
    }

    @Override
    public void note(CallTranscript call, CallTranscript.CallNote note) {
        var spans = calls.get(call.callSid());
        if (spans != null && !note.kind().equals("dtmf")) { // a keyed digit can be a card number
            spans.call.addEvent(note.kind(), note.at());
        }
    }

    @Override
    public void ended(CallTranscript call) {
        var spans = calls.remove(call.callSid());
        if (spans == null) {
            return;
        }
        spans.endTurn();
        call.endReason().ifPresent(reason -> spans.call.setAttribute(END_REASON, reason));
        spans.call.end(call.endedAt().orElse(Instant.now()));
    }

    @Override
    public void usage(CallTranscript call, String provider, String kind, long input, long output) {
    }

    @Override
    public ChatModel llm(String callSid, String provider, ChatModel model) {
        return tracer == null ? model : new TracedChatModel(model, provider, () -> parentForRequest(callSid, true), tracer, callSid);
    }

    @Override
    public TextToSpeech tts(String callSid, String provider, TextToSpeech tts) {
        return tracer == null ? tts : new TracedTextToSpeech(tts, provider, () -> parentForRequest(callSid, false), tracer, callSid);
    }

    /** The span a request of the call goes under: the turn's (an LLM request opens one), else the call's. */
    private Optional<Context> parentForRequest(String callSid, boolean opensTurn) {
        var spans = calls.get(callSid);
        return spans == null ? Optional.empty() : Optional.of(spans.requestParent(opensTurn));
    }

    private CallSpans spans(String callSid, Instant startedAt) {
        return calls.computeIfAbsent(callSid, sid -> new CallSpans(tracer, sid, tracer.spanBuilder("call").setNoParent()
                .setSpanKind(SpanKind.SERVER).setAttribute(CALL_SID, sid).setStartTimestamp(startedAt).startSpan()));
    }

    private static void mark(Span span, String name, Instant speechEnd, Optional<Long> millis) {
        millis.ifPresent(ms -> span.addEvent(name, speechEnd.plusMillis(ms)));
    }

    private static Instant latest(Instant speechEnd, Turn.View turn) {
        long last = 0;
        for (var ms : new Optional[] {turn.sttFinalMs(), turn.llmFirstTokenMs(), turn.firstSegmentMs(),
                                      turn.ttsFirstAudioMs(), turn.firstAudioMs()}) {
            if (ms.isPresent()) {
                last = Math.max(last, (Long) ms.get());
            }
        }
        return speechEnd.plusMillis(last);
    }

    /** Exports what is left (bounded by the exporter's timeout) and stops. */
    @Override
    public void close() {
        calls.values().forEach(spans -> {
            spans.endTurn();
            spans.call.end();
        });
        calls.clear();
        if (sdk != null) {
            try {
                sdk.close();
            } catch (Exception e) {
                System.getLogger(CallTracer.class.getName()).log(System.Logger.Level.WARNING, "Traces: closing the exporter failed: " + e);
            }
        }
    }
}
