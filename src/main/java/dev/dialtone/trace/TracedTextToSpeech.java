package dev.dialtone.trace;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

/**
 * One call's TTS client with a span per spoken segment: from the segment sent to its last audio,
 * with the first audio as an event and its length in characters (never its text) as an attribute.
 */
final class TracedTextToSpeech implements TextToSpeech {
    private static final AttributeKey<Long> SEGMENT = AttributeKey.longKey("dialtone.segment");
    private static final AttributeKey<Long> CHARACTERS = AttributeKey.longKey("dialtone.tts.characters");

    private final TextToSpeech tts;
    private final String provider;
    private final Supplier<Optional<Context>> parent;
    private final Tracer tracer;
    private final String callSid;

    TracedTextToSpeech(TextToSpeech tts, String provider, Supplier<Optional<Context>> parent, Tracer tracer, String callSid) {
        this.tts = tts;
        this.provider = provider;
        this.parent = parent;
        this.tracer = tracer;
        this.callSid = callSid;
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        var segments = new ConcurrentHashMap<Long, Segment>();
        var session = tts.open(options, event -> {
            switch (event) {
                case TtsEvent.Audio audio -> {
                    var segment = segments.get(audio.segmentId());
                    if (segment != null && !segment.heard) {
                        segment.heard = true;
                        segment.span.addEvent("first audio");
                    }
                }
                case TtsEvent.SegmentDone done -> end(segments, done.segmentId(), null);
                case TtsEvent.Failed failed -> {
                    if (failed.segmentId().isPresent()) {
                        end(segments, failed.segmentId().getAsLong(), failed.error().kind().name());
                    } else {
                        Map.copyOf(segments).keySet().forEach(id -> end(segments, id, failed.error().kind().name()));
                    }
                }
            }
            listener.accept(event);
        });
        return new TtsSession() {
            public void speak(long segmentId, String text) {
                parent.get().ifPresent(context -> segments.put(segmentId, new Segment(tracer.spanBuilder("tts " + provider)
                        .setParent(context).setSpanKind(SpanKind.CLIENT).setAttribute(CallTracer.CALL_SID, callSid)
                        .setAttribute(SEGMENT, segmentId).setAttribute(CHARACTERS, (long) text.length()).startSpan())));
                session.speak(segmentId, text);
            }

            public void flush() {
                session.flush();
            }

            public void cancel() {
                session.cancel();
                cancelAll(segments);
            }

            public void close() {
                session.close();
                cancelAll(segments);
            }
        };
    }

    private static void cancelAll(Map<Long, Segment> segments) {
        Map.copyOf(segments).forEach((id, segment) -> {
            if (segments.remove(id, segment)) {
                segment.span.setAttribute(TracedChatModel.CANCELLED, true);
                segment.span.end();
            }
        });
    }

    private static void end(Map<Long, Segment> segments, long id, String error) {
        var segment = segments.remove(id);
        if (segment != null) {
            if (error != null) {
                segment.span.setStatus(StatusCode.ERROR, error);
            }
            segment.span.end();
        }
    }

    /** A segment's span; {@code heard} is set on the TTS's reader thread only. */
    private static final class Segment {
        final Span span;
        volatile boolean heard;

        Segment(Span span) {
            this.span = span;
        }
    }
}
