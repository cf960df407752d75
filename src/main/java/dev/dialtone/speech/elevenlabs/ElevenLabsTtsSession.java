package dev.dialtone.speech.elevenlabs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dialtone.llm.ChatJson;
import dev.dialtone.llm.EventGate;
import dev.dialtone.llm.ProviderError;
import dev.dialtone.llm.ProviderException;
import dev.dialtone.speech.ProviderSocket;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One call's ElevenLabs stream: a worker thread speaks segments one at a time, each on its own
 * socket (opened ahead of time), and waits for that socket's {@code isFinal}.
 *
 * <p>Cancel bumps the epoch and aborts the socket in use; audio is emitted under {@link #lock}
 * after an epoch check, so nothing of a cancelled segment is delivered once {@code cancel()}
 * returns.
 */
final class ElevenLabsTtsSession implements TtsSession {
    /** The first message of a segment's socket: voice settings and the chunking schedule. */
    private final String begin;
    private static final String END = "{\"text\":\"\"}";

    private record Segment(long id, String text, long epoch) {
    }

    /** What a segment's socket reports to the worker. */
    private sealed interface Outcome {
    }

    private record Finished() implements Outcome {
    }

    private record Broken(ProviderError error) implements Outcome {
    }

    private final URI uri;
    private final String apiKey;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final EventGate<TtsEvent> gate;
    private final BlockingQueue<Segment> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private long epoch;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** The socket speaking now; guarded by {@link #lock}. */
    private Warm speaking;
    private final Thread worker;
    /** Worker thread only: a socket opened ahead for the next segment, and its mailbox. */
    private Warm warm;

    /** A connected socket whose reader reports into {@code outcomes}. */
    private record Warm(ProviderSocket socket, SegmentReader reader) {
    }

    private ElevenLabsTtsSession(URI uri, String apiKey, Duration connectTimeout, Duration idleTimeout,
                                 java.util.Map<String, Double> voiceSettings, Consumer<TtsEvent> listener) {
        this.begin = begin(voiceSettings);
        this.uri = uri;
        this.apiKey = apiKey;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.gate = new EventGate<>(listener, e -> e instanceof TtsEvent.Failed f && f.segmentId().isEmpty());
        this.worker = Thread.ofVirtual().name("elevenlabs-tts").unstarted(this::run);
    }

    static ElevenLabsTtsSession start(URI uri, String apiKey, Duration connectTimeout, Duration idleTimeout,
                                      java.util.Map<String, Double> voiceSettings, Consumer<TtsEvent> listener) {
        var session = new ElevenLabsTtsSession(uri, apiKey, connectTimeout, idleTimeout, voiceSettings, listener);
        session.worker.start();
        return session;
    }

    @Override
    public void speak(long segmentId, String text) {
        lock.lock();
        try {
            if (!closed) {
                queue.add(new Segment(segmentId, text, epoch));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every segment is sent with flush and closed at once, so there is nothing left to push. */
    @Override
    public void flush() {
    }

    @Override
    public void cancel() {
        lock.lock();
        try {
            epoch++;
            stopSpeaking();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            epoch++;
            gate.silence();
            stopSpeaking();
        } finally {
            lock.unlock();
        }
        worker.interrupt();
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
                var segment = queue.take();
                if (isCurrent(segment)) {
                    speak(segment);
                }
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            if (warm != null) {
                warm.socket().abort();
            }
        }
    }

    private Warm open() {
        try {
            var reader = new SegmentReader();
            var socket = ProviderSocket.connect(ElevenLabsTextToSpeech.PROVIDER, uri, Map.of("xi-api-key", apiKey), connectTimeout, reader);
            socket.sendText(begin);
            return new Warm(socket, reader);
        } catch (ProviderException e) {
            return null; // connected on demand, where a failure is reported for a segment
        }
    }

    private void speak(Segment segment) throws InterruptedException {
        var current = warm;
        warm = null;
        try {
            if (current == null || current.reader().ended()) {
                if (current != null) {
                    current.socket().abort();
                }
                var reader = new SegmentReader();
                var socket = ProviderSocket.connect(ElevenLabsTextToSpeech.PROVIDER, uri, Map.of("xi-api-key", apiKey), connectTimeout, reader);
                socket.sendText(begin);
                current = new Warm(socket, reader);
            }
            if (!attach(current, segment)) {
                current.socket().abort();
                return;
            }
            var text = segment.text().endsWith(" ") ? segment.text() : segment.text() + " ";
            current.socket().sendText("{\"text\":" + ChatJson.MAPPER.writeValueAsString(text) + ",\"flush\":true}");
            current.socket().sendText(END);
            warm = open();
            var outcome = current.reader().await(idleTimeout);
            switch (outcome) {
                case Finished f -> emitIfCurrent(segment, new TtsEvent.SegmentDone(segment.id()));
                case Broken broken -> emitIfCurrent(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), broken.error()));
            }
        } catch (ProviderException e) {
            emitIfCurrent(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), e.error()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } finally {
            if (current != null) {
                current.socket().abort();
            }
            lock.lock();
            try {
                speaking = null;
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean attach(Warm socket, Segment segment) {
        lock.lock();
        try {
            if (segment.epoch() != epoch || closed) {
                return false;
            }
            speaking = socket;
            socket.reader().segment = segment;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean isCurrent(Segment segment) {
        lock.lock();
        try {
            return !closed && segment.epoch() == epoch;
        } finally {
            lock.unlock();
        }
    }

    private boolean emitIfCurrent(Segment segment, TtsEvent event) {
        lock.lock();
        try {
            return segment.epoch() == epoch && !closed && gate.emit(event);
        } finally {
            lock.unlock();
        }
    }

    /** One socket's messages: audio out for its segment, the outcome to the worker. Its reader thread. */
    /** The flow's voice settings over ElevenLabs' defaults (stability 0.5, similarity boost 0.8). */
    static String begin(java.util.Map<String, Double> voiceSettings) {
        var settings = dev.dialtone.llm.ChatJson.MAPPER.createObjectNode().put("stability", 0.5).put("similarity_boost", 0.8);
        voiceSettings.forEach(settings::put);
        var message = dev.dialtone.llm.ChatJson.MAPPER.createObjectNode().put("text", " ");
        message.set("voice_settings", settings);
        message.putObject("generation_config").putArray("chunk_length_schedule").add(120).add(160).add(250).add(290);
        return message.toString();
    }

    private final class SegmentReader implements ProviderSocket.Handler {
        private final BlockingQueue<Outcome> outcome = new LinkedBlockingQueue<>();
        /** Set by the worker under {@link #lock} before any text is sent. */
        Segment segment;
        private volatile boolean ended;
        /** Nanos of the last message, for the idle timeout. */
        private volatile long lastMessage = System.nanoTime();

        @Override
        public void onText(String text) {
            lastMessage = System.nanoTime();
            JsonNode message;
            try {
                message = ChatJson.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                finish(new Broken(new ProviderError(ProviderError.Kind.PROTOCOL, ElevenLabsTextToSpeech.PROVIDER,
                        "malformed message: " + ProviderError.abbreviate(text), false)));
                return;
            }
            var audio = message.path("audio");
            if (audio.isTextual() && !audio.asText().isEmpty()) {
                Segment target;
                lock.lock();
                try {
                    target = segment;
                } finally {
                    lock.unlock();
                }
                if (target != null) {
                    emitIfCurrent(target, new TtsEvent.Audio(target.id(), Base64.getDecoder().decode(audio.asText())));
                }
            }
            if (message.path("isFinal").asBoolean()) {
                finish(new Finished());
            } else if (!message.has("audio") && (message.has("error") || message.has("message"))) {
                var kind = message.path("error").asText().contains("auth") || message.path("message").asText().contains("api key")
                        ? ProviderError.Kind.AUTH : ProviderError.Kind.SERVER;
                finish(new Broken(new ProviderError(kind, ElevenLabsTextToSpeech.PROVIDER,
                        ProviderError.abbreviate(message.path("message").asText(message.toString())), kind != ProviderError.Kind.AUTH)));
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
