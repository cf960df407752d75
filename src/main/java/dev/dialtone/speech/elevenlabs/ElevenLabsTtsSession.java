package dev.dialtone.speech.elevenlabs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderException;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SegmentQueue;
import dev.dialtone.speech.SegmentQueue.Segment;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsSession;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One call's ElevenLabs stream: a worker thread speaks segments one at a time, each on its own
 * socket (opened ahead of time), and waits for that socket's {@code isFinal}.
 *
 * <p>A socket opened ahead may be gone by the time a segment needs it: ElevenLabs closes one that
 * received no text for its inactivity timeout, and an idle connection can drop. One that is past
 * its time or has ended is replaced before use; one that fails before speaking any of the segment
 * (it was closing just as the text went out) hands the segment to a fresh socket. Either way the
 * segment is spoken once, on a socket, and never reported failed for it.
 *
 * <p>Cancel moves the {@link SegmentQueue}'s epoch on and aborts the socket in use, so nothing of
 * a cancelled segment is delivered once {@code cancel()} returns.
 */
final class ElevenLabsTtsSession implements TtsSession {
    private static final String END = "{\"text\":\"\"}";

    /**
     * The session's limits.
     *
     * @param inactivity how long ElevenLabs keeps a socket without text (sent as {@code inactivity_timeout})
     */
    record Timing(Duration connect, Duration idle, Duration inactivity) {

        /**
         * How long a socket opened ahead may wait and still be used: its inactivity timeout less a
         * margin for the opening message and the segment's text to reach ElevenLabs, whose timer
         * starts when it receives the opening message.
         */
        Duration usableFor() {
            var margin = inactivity.dividedBy(4);
            return inactivity.minus(margin.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : margin);
        }
    }

    /** What speaking a segment on one socket came to. */
    private sealed interface Outcome {
    }

    private record Finished() implements Outcome {
    }

    private record Broken(ProviderError error) implements Outcome {
    }

    /** The segment was cancelled before its text went out. */
    private record Cancelled() implements Outcome {
    }

    /** The first message of a segment's socket: voice settings and the chunking schedule. */
    private final String begin;
    private final URI uri;
    private final String apiKey;
    private final Timing timing;
    private final SegmentQueue segments;
    /** The socket speaking now; guarded by the segments' lock. */
    private Warm speaking;
    private final Thread worker;
    /** Worker thread only: a socket opened ahead for the next segment. */
    private Warm warm;

    /**
     * A connected socket whose reader reports into its own mailbox.
     *
     * @param openedAt System.nanoTime when its opening message was sent
     */
    private record Warm(ProviderSocket socket, SegmentReader reader, long openedAt) {

        /** Whether it can take a segment: not ended, nothing reported, not near its inactivity timeout. */
        boolean usable(Duration usableFor) {
            return !reader.ended() && !reader.reported() && System.nanoTime() - openedAt < usableFor.toNanos();
        }
    }

    private ElevenLabsTtsSession(URI uri, String apiKey, Timing timing, Map<String, Double> voiceSettings,
                                 Consumer<TtsEvent> listener) {
        this.begin = ElevenLabsWire.begin(voiceSettings);
        this.uri = uri;
        this.apiKey = apiKey;
        this.timing = timing;
        this.segments = new SegmentQueue(listener, this::stopSpeaking);
        this.worker = Thread.ofVirtual().name("elevenlabs-tts").unstarted(this::run);
    }

    static ElevenLabsTtsSession start(URI uri, String apiKey, Timing timing, Map<String, Double> voiceSettings,
                                      Consumer<TtsEvent> listener) {
        var session = new ElevenLabsTtsSession(uri, apiKey, timing, voiceSettings, listener);
        session.worker.start();
        return session;
    }

    @Override
    public void speak(long segmentId, String text) {
        segments.add(segmentId, text);
    }

    /** Every segment is sent with flush and closed at once, so there is nothing left to push. */
    @Override
    public void flush() {
    }

    @Override
    public void cancel() {
        segments.cancel();
    }

    @Override
    public void close() {
        if (segments.close()) {
            worker.interrupt();
        }
    }

    /** Aborts the socket in use and wakes the worker (an aborted socket reports nothing more). */
    private void stopSpeaking() {
        if (speaking != null) {
            speaking.socket().abort();
            speaking.reader().finish(new Broken(new ProviderError(ProviderError.Kind.NETWORK,
                    ElevenLabsTextToSpeech.PROVIDER, "cancelled", true)));
        }
    }

    private void run() {
        try {
            warm = open();
            while (true) {
                speak(segments.next());
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            if (warm != null) {
                warm.socket().abort();
            }
        }
    }

    /** A socket for the next segment, opened ahead; null if it cannot be opened now. */
    private Warm open() {
        try {
            return connect();
        } catch (ProviderException e) {
            return null; // connected on demand, where a failure is reported for a segment
        }
    }

    /** Connects a segment's socket and sends its opening message. */
    private Warm connect() throws ProviderException {
        var reader = new SegmentReader();
        var socket = ProviderSocket.connect(ElevenLabsTextToSpeech.PROVIDER, uri, Map.of("xi-api-key", apiKey), timing.connect(), reader);
        try {
            socket.sendText(begin);
        } catch (ProviderException e) {
            socket.abort();
            throw e;
        }
        return new Warm(socket, reader, System.nanoTime());
    }

    /** The socket opened ahead if it can still be used, else null (a stale one is dropped). */
    private Warm takeWarm() {
        var ahead = warm;
        warm = null;
        if (ahead != null && !ahead.usable(timing.usableFor())) {
            ahead.socket().abort();
            return null;
        }
        return ahead;
    }

    private void speak(Segment segment) throws InterruptedException {
        Outcome outcome = new Cancelled();
        var ahead = takeWarm();
        if (ahead != null) {
            outcome = speakOn(ahead, segment);
        }
        // A socket opened ahead that failed before any audio, not for the request itself (a refused
        // key or setting would fail again), was closing as the text went out or had dropped
        // unnoticed while idle: the segment goes to a fresh socket.
        boolean again = ahead == null
                || outcome instanceof Broken broken && broken.error().retryable() && !ahead.reader().spoke();
        if (again && segments.ifCurrent(segment, () -> true).isPresent()) {
            var next = takeWarm();
            try {
                outcome = speakOn(next != null ? next : connect(), segment);
            } catch (ProviderException e) {
                outcome = new Broken(e.error());
            }
        }
        switch (outcome) {
            case Finished f -> segments.emit(segment, new TtsEvent.SegmentDone(segment.id()));
            case Broken broken -> segments.emit(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), broken.error()));
            case Cancelled c -> {
            }
        }
    }

    /** Speaks {@code segment} on {@code socket} and waits for the outcome; the socket is spent afterwards. */
    private Outcome speakOn(Warm socket, Segment segment) throws InterruptedException {
        try {
            if (!attach(socket, segment)) {
                return new Cancelled();
            }
            var text = segment.text().endsWith(" ") ? segment.text() : segment.text() + " ";
            socket.socket().sendText("{\"text\":" + Json.MAPPER.writeValueAsString(text) + ",\"flush\":true}");
            socket.socket().sendText(END);
            if (warm == null) {
                warm = open(); // its handshake overlaps this segment's synthesis
            }
            return socket.reader().await(timing.idle());
        } catch (ProviderException e) {
            // A socket the service closed on us: its error message, if it sent one, says why.
            return socket.reader().reportedOr(new Broken(e.error()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } finally {
            socket.socket().abort();
            segments.locked(() -> speaking = null);
        }
    }

    /** Makes {@code socket} the one speaking {@code segment}, unless the segment was cancelled. */
    private boolean attach(Warm socket, Segment segment) {
        return segments.ifCurrent(segment, () -> {
            speaking = socket;
            socket.reader().segment = segment;
            return true;
        }).isPresent();
    }

    /** One socket's messages: audio out for its segment, the outcome to the worker. Its reader thread. */
    private final class SegmentReader implements ProviderSocket.Handler {
        private final BlockingQueue<Outcome> outcome = new LinkedBlockingQueue<>();
        /** Set by the worker before any text is sent. */
        volatile Segment segment;
        private volatile boolean ended;
        /** Whether audio of the segment was delivered. */
        private volatile boolean spoke;
        /** Nanos of the last message, for the idle timeout. */
        private volatile long lastMessage = System.nanoTime();

        @Override
        public void onText(String text) {
            lastMessage = System.nanoTime();
            JsonNode message;
            try {
                message = Json.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                finish(new Broken(new ProviderError(ProviderError.Kind.PROTOCOL, ElevenLabsTextToSpeech.PROVIDER,
                        "malformed message: " + ProviderError.abbreviate(text), false)));
                return;
            }
            var audio = message.path("audio");
            if (audio.isTextual() && !audio.asText().isEmpty()) {
                var target = segment;
                if (target != null) {
                    spoke = true;
                    segments.emit(target, new TtsEvent.Audio(target.id(), Base64.getDecoder().decode(audio.asText())));
                }
            }
            if (message.path("isFinal").asBoolean()) {
                finish(new Finished());
            } else if (!message.has("audio") && (message.has("error") || message.has("message"))) {
                finish(new Broken(ElevenLabsWire.socketError(message))); // the close that follows adds nothing
            }
        }

        @Override
        public void onBinary(byte[] data) {
            finish(new Broken(new ProviderError(ProviderError.Kind.PROTOCOL, ElevenLabsTextToSpeech.PROVIDER,
                    "unexpected binary message", false)));
        }

        @Override
        public void onEnded(int code, String reason, Throwable error) {
            ended = true;
            finish(new Broken(ProviderSocket.endedError(ElevenLabsTextToSpeech.PROVIDER, code, reason, error)));
        }

        private void finish(Outcome result) {
            outcome.offer(result);
        }

        boolean ended() {
            return ended;
        }

        /** Whether the socket has reported an outcome (an error, its end) not yet taken. */
        boolean reported() {
            return !outcome.isEmpty();
        }

        boolean spoke() {
            return spoke;
        }

        /** The outcome reported already, else {@code otherwise}. */
        Outcome reportedOr(Outcome otherwise) {
            var reported = outcome.poll();
            return reported != null ? reported : otherwise;
        }

        /** The first outcome; a socket silent for the idle timeout is a timeout. */
        Outcome await(Duration idle) throws InterruptedException {
            lastMessage = System.nanoTime();
            while (true) {
                long left = idle.toNanos() - (System.nanoTime() - lastMessage);
                var result = left > 0 ? outcome.poll(left, TimeUnit.NANOSECONDS) : null;
                if (result != null) {
                    return result;
                }
                if (System.nanoTime() - lastMessage >= idle.toNanos()) {
                    return new Broken(new ProviderError(ProviderError.Kind.TIMEOUT, ElevenLabsTextToSpeech.PROVIDER,
                            "no audio for the idle timeout", true));
                }
            }
        }
    }
}
