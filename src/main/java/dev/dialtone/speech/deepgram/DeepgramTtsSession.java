package dev.dialtone.speech.deepgram;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.dialtone.net.Json;
import dev.dialtone.net.EventGate;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderException;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsSession;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One call's Deepgram TTS socket. Each segment is sent as Speak + Flush, so the audio between two
 * {@code Flushed} replies belongs to exactly one segment (Deepgram allows 20 Flushes a minute;
 * {@link FlushBudget} keeps a call under it).
 *
 * <p>Barge-in leaves the socket: the cancelled segments' socket gets a Clear (so Deepgram stops
 * generating) and is closed, and the next segment goes to a fresh socket, connected at once so that
 * it is ready by the time the caller has finished. Staying on the socket would mean telling, after
 * a {@code Cleared}, whether a {@code Flushed} still to come belongs to a cleared flush or to the
 * next segment: Deepgram does not document whether it sends one for a cleared flush, and guessing
 * wrong loses the next segment's audio or gives it to the cleared one.
 *
 * <p>Threads: a writer thread owns the socket's sends and (re)connects; the socket reader
 * attributes audio. Both share the segment queue under {@link #lock}, and audio is emitted while
 * holding it, so once {@link #cancel()} returns no byte of a cancelled segment is delivered. A
 * reader of a socket left behind hears nothing more: each socket has a generation, and only the
 * current one's messages count.
 */
final class DeepgramTtsSession implements TtsSession {
    private static final System.Logger LOG = System.getLogger(DeepgramTtsSession.class.getName());
    private static final String PROVIDER_NAME = DeepgramTextToSpeech.PROVIDER;

    private sealed interface Command {
    }

    private record Speak(long segmentId, String text) implements Command {
    }

    private record Clear() implements Command {
    }

    private record Shutdown() implements Command {
    }

    /** A socket closed while idle; if it is still the current one, the next segment reconnects. */
    private record Reconnect(int generation) implements Command {
    }

    /** A segment sent to Deepgram whose Flushed has not come back. */
    private static final class Segment {
        final long id;
        boolean cancelled;

        Segment(long id) {
            this.id = id;
        }
    }

    private final URI uri;
    private final String apiKey;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    /** Nanos of the last Speak sent or message received; written by the writer and the reader. */
    private volatile long lastActivityNanos = System.nanoTime();
    private final EventGate<TtsEvent> gate;
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Segments in Deepgram's order; guarded by {@link #lock}. */
    private final ArrayDeque<Segment> inFlight = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Writer thread only. */
    private ProviderSocket socket;
    /** The current socket's generation, bumped by the writer on every connect and on leaving a socket. Guarded by {@link #lock}. */
    private int generation;

    private DeepgramTtsSession(URI uri, String apiKey, Duration connectTimeout, Duration idleTimeout, Consumer<TtsEvent> listener) {
        this.uri = uri;
        this.apiKey = apiKey;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.gate = new EventGate<>(listener, e -> e instanceof TtsEvent.Failed f && f.segmentId().isEmpty());
    }

    static DeepgramTtsSession start(URI uri, String apiKey, Duration connectTimeout, Duration idleTimeout,
                                    Consumer<TtsEvent> listener) {
        var session = new DeepgramTtsSession(uri, apiKey, connectTimeout, idleTimeout, listener);
        Thread.ofVirtual().name("deepgram-tts").start(session::run);
        return session;
    }

    @Override
    public void speak(long segmentId, String text) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            inFlight.addLast(new Segment(segmentId));
            commands.add(new Speak(segmentId, text));
        } finally {
            lock.unlock();
        }
    }

    /** Every segment is flushed as it is spoken, so there is nothing to push out. */
    @Override
    public void flush() {
    }

    @Override
    public void cancel() {
        lock.lock();
        try {
            if (closed || inFlight.stream().allMatch(s -> s.cancelled)) {
                return;
            }
            inFlight.forEach(s -> s.cancelled = true);
            commands.add(new Clear());
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
            gate.silence();
            commands.add(new Shutdown());
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            while (true) {
                var command = commands.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (command == null) {
                    if (waitingTooLong()) {
                        failAll(new ProviderError(ProviderError.Kind.TIMEOUT, PROVIDER_NAME,
                                "no audio for " + idleTimeout.toMillis() + " ms", true));
                    }
                    continue;
                }
                switch (command) {
                    case Speak speak -> {
                        lastActivityNanos = System.nanoTime();
                        if (!isCancelled(speak.segmentId())) {
                            send("{\"type\":\"Speak\",\"text\":" + Json.MAPPER.writeValueAsString(speak.text()) + "}");
                            send("{\"type\":\"Flush\"}");
                        }
                    }
                    case Clear c -> leaveSocket();
                    case Reconnect r -> {
                        if (socket != null && r.generation() == currentGeneration()) {
                            socket.abort();
                            socket = null;
                        }
                    }
                    case Shutdown s -> {
                        if (socket != null) {
                            try {
                                socket.sendText("{\"type\":\"Close\"}");
                            } catch (ProviderException e) {
                                // closing anyway
                            }
                            socket.close();
                        }
                        return;
                    }
                }
            }
        } catch (ProviderException e) {
            failAll(e.error());
        } catch (InterruptedException | JsonProcessingException e) {
            failAll(new ProviderError(ProviderError.Kind.PROTOCOL, PROVIDER_NAME, "session stopped", false));
        } finally {
            if (socket != null) {
                socket.abort();
            }
        }
    }

    /** Whether a live segment waits for audio and the socket has said nothing for the idle timeout. */
    private boolean waitingTooLong() {
        lock.lock();
        try {
            return !closed && inFlight.stream().anyMatch(s -> !s.cancelled)
                    && System.nanoTime() - lastActivityNanos >= idleTimeout.toNanos();
        } finally {
            lock.unlock();
        }
    }

    private boolean isCancelled(long segmentId) {
        lock.lock();
        try {
            return inFlight.stream().noneMatch(s -> s.id == segmentId && !s.cancelled);
        } finally {
            lock.unlock();
        }
    }

    /** Sends on the current socket, connecting first when there is none (lazily, after an idle close). */
    private void send(String message) throws ProviderException {
        if (socket == null) {
            connect();
        }
        socket.sendText(message);
    }

    private void connect() throws ProviderException {
        int mine = nextGeneration();
        socket = ProviderSocket.connect(PROVIDER_NAME, uri, Map.of("Authorization", "Token " + apiKey), connectTimeout,
                new Reader(mine));
    }

    /**
     * Barge-in: the cancelled segments go with their socket (told to Clear, then closed, its late
     * messages ignored), and a fresh socket is opened for the segments that follow.
     */
    private void leaveSocket() {
        var left = socket;
        socket = null;
        lock.lock();
        try {
            generation++;
            inFlight.removeIf(s -> s.cancelled);
        } finally {
            lock.unlock();
        }
        if (left == null) {
            return; // nothing was arriving
        }
        try {
            left.sendText("{\"type\":\"Clear\"}");
        } catch (ProviderException e) {
            // it is being left anyway
        }
        left.close();
        try {
            connect();
        } catch (ProviderException e) {
            socket = null; // the next segment connects, and reports a failure
        }
    }

    private int nextGeneration() {
        lock.lock();
        try {
            return ++generation;
        } finally {
            lock.unlock();
        }
    }

    private int currentGeneration() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /** Reports every live segment as failed, then the session: the caller decides (e.g. fall back). */
    private void failAll(ProviderError error) {
        lock.lock();
        try {
            for (var segment : inFlight) {
                if (!segment.cancelled) {
                    gate.emit(new TtsEvent.Failed(OptionalLong.of(segment.id), error));
                }
            }
            inFlight.clear();
            gate.emit(new TtsEvent.Failed(OptionalLong.empty(), error));
            if (!closed) {
                closed = true;
                commands.add(new Shutdown());
            }
        } finally {
            lock.unlock();
        }
    }

    /** One socket's messages. Its reader thread. */
    private final class Reader implements ProviderSocket.Handler {
        private final int socketGeneration;

        Reader(int socketGeneration) {
            this.socketGeneration = socketGeneration;
        }

        @Override
        public void onBinary(byte[] data) {
            lock.lock();
            try {
                if (socketGeneration != generation) {
                    return;
                }
                lastActivityNanos = System.nanoTime();
                var head = inFlight.peekFirst();
                if (head != null && !head.cancelled) {
                    gate.emit(new TtsEvent.Audio(head.id, data));
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onText(String text) {
            String type;
            try {
                type = Json.MAPPER.readTree(text).path("type").asText();
            } catch (JsonProcessingException e) {
                type = "?";
            }
            lock.lock();
            try {
                if (socketGeneration != generation) {
                    return;
                }
                lastActivityNanos = System.nanoTime();
                switch (type) {
                    case "Flushed" -> {
                        var head = inFlight.pollFirst();
                        if (head != null && !head.cancelled) {
                            gate.emit(new TtsEvent.SegmentDone(head.id));
                        }
                    }
                    // Metadata opens every socket; Cleared comes only to a socket left behind, unheard.
                    case "Metadata", "Cleared" -> LOG.log(System.Logger.Level.DEBUG, () -> "deepgram tts " + ProviderError.abbreviate(text));
                    // Not fatal by definition; the one a call could meet (past 20 Flushes a minute)
                    // FlushBudget prevents, and its unflushed segment would end by the idle timeout.
                    case "Warning" -> LOG.log(System.Logger.Level.WARNING, () -> "deepgram tts " + ProviderError.abbreviate(text));
                    default -> {
                        // An error message or an unknown one: the head segment cannot be trusted.
                        var head = inFlight.pollFirst();
                        if (head != null && !head.cancelled) {
                            gate.emit(new TtsEvent.Failed(OptionalLong.of(head.id), new ProviderError(ProviderError.Kind.PROTOCOL,
                                    PROVIDER_NAME, "unexpected message: " + ProviderError.abbreviate(text), false)));
                        }
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onEnded(int code, String reason, Throwable error) {
            lock.lock();
            try {
                if (closed || socketGeneration != generation) {
                    return;
                }
                boolean idle = inFlight.isEmpty();
                if (idle && error == null) {
                    // Deepgram closed an idle socket: the next segment reconnects.
                    commands.add(new Reconnect(socketGeneration));
                    return;
                }
            } finally {
                lock.unlock();
            }
            failAll(ProviderSocket.endedError(PROVIDER_NAME, code, reason, error));
        }
    }
}
