package dev.dialtone.speech.deepgram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dialtone.net.EventGate;
import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderException;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.SttSession;
import dev.dialtone.speech.TurnThresholds;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One call's Deepgram stream, Nova ({@code /v1/listen}) or Flux ({@code /v2/listen}): the
 * {@link ListenDialect} reads the socket's messages. A writer thread owns the socket and the audio not yet acknowledged;
 * the caller's audio, control commands and the socket readers' results all reach it as commands,
 * so the thread that hands in audio (the Twilio socket's reader) never waits on Deepgram's socket:
 * a Deepgram that stops reading fills the writer's queue, not the caller's stream, and its socket
 * is dropped by the send time-out and replaced (with the unacknowledged audio sent again).
 *
 * <p>Acknowledgement: a final result (Nova {@code is_final} up to {@code start+duration}, Flux
 * {@code EndOfTurn} or an empty Update between turns, up to {@code audio_window_end}) means
 * Deepgram will never revise that audio, so it is dropped from the resend buffer. When the
 * socket drops, a new one is opened at once and everything after the last acknowledged byte is sent
 * again; its results are shifted by the resent audio's position so times stay call-relative.
 */
final class DeepgramSttSession implements SttSession {
    private static final System.Logger LOG = System.getLogger(DeepgramSttSession.class.getName());
    static final int BYTES_PER_SECOND = 8000;
    /**
     * Audio frames waiting for the writer, at most: 10 s of 20 ms frames, twice the socket's send
     * time-out, so a stalled socket is dropped and replaced before this bound is met.
     */
    static final int MAX_QUEUED_AUDIO = 500;
    /** Resend buffer cap: 30 s of audio; beyond that the oldest is dropped (Deepgram finalises far sooner). */
    private static final long MAX_UNACKED = 30L * BYTES_PER_SECOND;

    private sealed interface Command {
    }

    private record Audio(byte[] data) implements Command {
    }

    /** A control message; a {@code sticky} one is sent again on every new socket (the latest sticky one only). */
    private record Control(String text, boolean sticky) implements Command {
    }

    private record CloseNow() implements Command {
    }

    /** Results covered the socket's audio up to {@code endSeconds}; {@code isFinal}: it will not change. */
    private record Ack(int generation, double endSeconds, boolean isFinal) implements Command {
    }

    private record Ended(int generation, ProviderError error) implements Command {
    }

    private final URI uri;
    private final String apiKey;
    private final ListenDialect dialect;
    private final DeepgramSpeechToText.Timing timing;
    private final EventGate<SttEvent> gate;
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    /** Commands posted and not yet handled (counted before they are queued, so audio never overtakes one). */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong droppedFrames = new AtomicLong();
    /** Set by close(), or by the writer when the session ended on its own (then input is dropped, not queued). */
    private final AtomicBoolean closeRequested = new AtomicBoolean();

    // The writer thread's, from here on.
    private final ArrayDeque<byte[]> unacked = new ArrayDeque<>();
    /** Call position (bytes) of the first unacknowledged byte. */
    private long unackedStart;
    /** Bytes in {@link #unacked}. */
    private long unackedBytes;
    private Connection connection;
    private int generation;
    private long lastSendNanos = System.nanoTime();
    /** Call position (bytes) up to which the current socket has reported results (interim or final). */
    private long heardUntil;
    /** When {@link #heardUntil} last advanced, or audio beyond it was first sent. */
    private long lastProgressNanos;
    /** The current socket failed and its Ended is queued: nothing more is sent on it. */
    private boolean dead;
    /** The last sticky control (Flux's Configure), sent again after a reconnect; null if none. */
    private String sticky;

    /** One socket and where its audio starts in the call. */
    private record Connection(ProviderSocket socket, int generation, long offsetBytes) {
        double offsetSeconds() {
            return (double) offsetBytes / BYTES_PER_SECOND;
        }
    }

    private DeepgramSttSession(URI uri, String apiKey, ListenDialect dialect, DeepgramSpeechToText.Timing timing,
                               Consumer<SttEvent> listener) {
        this.uri = uri;
        this.apiKey = apiKey;
        this.dialect = dialect;
        this.timing = timing;
        this.gate = new EventGate<>(listener, SttEvent::isTerminal);
    }

    static DeepgramSttSession start(URI uri, String apiKey, ListenDialect dialect, DeepgramSpeechToText.Timing timing,
                                    Consumer<SttEvent> listener) {
        var session = new DeepgramSttSession(uri, apiKey, dialect, timing, listener);
        Thread.ofVirtual().name("deepgram-stt").start(session::run);
        return session;
    }

    @Override
    public void sendAudio(byte[] mulaw) {
        if (closeRequested.get() || mulaw.length == 0) {
            return;
        }
        if (queued.get() >= MAX_QUEUED_AUDIO) {
            if (droppedFrames.getAndIncrement() % MAX_QUEUED_AUDIO == 0) {
                LOG.log(System.Logger.Level.WARNING, "deepgram stt: the writer is {0} frames behind; caller audio dropped",
                        MAX_QUEUED_AUDIO);
            }
            return;
        }
        post(new Audio(mulaw.clone()));
    }

    private void post(Command command) {
        queued.incrementAndGet();
        commands.add(command);
    }

    private Command next(long timeoutNanos) throws InterruptedException {
        return commands.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Audio, on the writer thread: checked for a stall as it goes. */
    private void onAudio(byte[] data) {
        dropIfStalled();
        if (unackedStart + unackedBytes <= heardUntil) {
            lastProgressNanos = System.nanoTime(); // the wait starts with the first unanswered byte
        }
        buffer(data);
        transmit(data);
    }

    @Override
    public void finalizeTurn() {
        if (!closeRequested.get()) {
            post(new Control(dialect.finalizeMessage(), false));
        }
    }

    @Override
    public boolean adjustTurnEnd(TurnThresholds thresholds) {
        var message = dialect.configureMessage().apply(thresholds);
        if (message.isEmpty()) {
            return false;
        }
        if (!closeRequested.get()) {
            post(new Control(message.get(), true));
        }
        return true;
    }

    @Override
    public void close() {
        if (closeRequested.compareAndSet(false, true)) {
            post(new CloseNow());
        }
    }

    private void run() {
        try {
            if (!reconnect(null)) {
                return;
            }
            while (true) {
                var command = next(Math.min(keepAliveWait(), timing.resultsTimeout().toNanos()));
                dropIfStalled();
                if (command == null) {
                    if (keepAliveWait() <= 1) {
                        send("{\"type\":\"KeepAlive\"}");
                    }
                    continue;
                }
                queued.decrementAndGet();
                switch (command) {
                    case Audio audio -> onAudio(audio.data());
                    case Control control -> {
                        if (control.sticky()) {
                            sticky = control.text();
                        }
                        send(control.text());
                    }
                    case Ack ack -> acknowledge(ack);
                    case Ended ended -> {
                        if (ended.generation() == generation && !reconnect(ended.error())) {
                            return;
                        }
                    }
                    case CloseNow c -> {
                        finish();
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeRequested.set(true);
            commands.clear();
            if (connection != null) {
                connection.socket().abort();
            }
        }
    }

    private long keepAliveWait() {
        return Math.max(timing.keepAlive().toNanos() - (System.nanoTime() - lastSendNanos), 1);
    }

    /**
     * Whether the socket has audio it has not reported on and its reports stopped advancing for the
     * results timeout: a half-open connection (no close, no reset ever arrives) that the socket cannot notice.
     */
    private void dropIfStalled() {
        if (stalled()) {
            dropped(new ProviderError(ProviderError.Kind.TIMEOUT, DeepgramSpeechToText.PROVIDER,
                    "no results for " + timing.resultsTimeout().toMillis() + " ms of sent audio", true));
        }
    }

    private boolean stalled() {
        return connection != null && !dead && unackedStart + unackedBytes > heardUntil
                && System.nanoTime() - lastProgressNanos >= timing.resultsTimeout().toNanos();
    }

    private void buffer(byte[] data) {
        unacked.addLast(data);
        unackedBytes += data.length;
        while (unackedBytes > MAX_UNACKED) {
            var dropped = unacked.removeFirst();
            unackedBytes -= dropped.length;
            unackedStart += dropped.length;
        }
    }

    private void acknowledge(Ack ack) {
        if (connection == null || ack.generation() != connection.generation()) {
            return;
        }
        long position = connection.offsetBytes() + Math.round(ack.endSeconds() * BYTES_PER_SECOND);
        if (position > heardUntil) {
            heardUntil = position;
            lastProgressNanos = System.nanoTime();
        }
        if (!ack.isFinal()) {
            return;
        }
        while (!unacked.isEmpty() && unackedStart + unacked.peekFirst().length <= position) {
            var done = unacked.removeFirst();
            unackedBytes -= done.length;
            unackedStart += done.length;
        }
    }

    private void transmit(byte[] data) {
        if (connection == null || dead) {
            return;
        }
        try {
            connection.socket().sendBinary(data);
            lastSendNanos = System.nanoTime();
        } catch (ProviderException e) {
            // The audio stays buffered for the resend; an aborted socket reports nothing, so say it here.
            dropped(e.error());
        }
    }

    private void send(String control) {
        if (connection == null || dead) {
            return;
        }
        try {
            connection.socket().sendText(control);
            lastSendNanos = System.nanoTime();
        } catch (ProviderException e) {
            dropped(e.error());
        }
    }

    private void dropped(ProviderError error) {
        if (dead) {
            return;
        }
        dead = true;
        connection.socket().abort();
        post(new Ended(connection.generation(), error));
    }

    /**
     * Opens a new socket and resends the unacknowledged audio; after the retry budget (or a
     * non-retryable error) reports Failed. Returns whether the session goes on.
     */
    private boolean reconnect(ProviderError cause) throws InterruptedException {
        if (connection != null) {
            connection.socket().abort();
            connection = null;
            LOG.log(System.Logger.Level.INFO, "deepgram socket ended (" + cause.message() + "); reconnecting");
        }
        var last = cause;
        if (last != null && !last.retryable()) {
            gate.emit(new SttEvent.Failed(last));
            return false;
        }
        for (var delay : timing.retryDelays()) {
            if (!delay.isZero()) {
                Thread.sleep(delay);
            }
            int next = ++generation;
            try {
                var socket = ProviderSocket.connect(DeepgramSpeechToText.PROVIDER, uri, Map.of("Authorization", "Token " + apiKey),
                        timing.connect(), dialect.reader().open(next, (double) unackedStart / BYTES_PER_SECOND, this, gate));
                connection = new Connection(socket, next, unackedStart);
                dead = false;
                heardUntil = unackedStart;
                lastProgressNanos = System.nanoTime();
                if (sticky != null) {
                    send(sticky);
                }
                for (var chunk : unacked) {
                    transmit(chunk);
                }
                lastSendNanos = System.nanoTime();
                return true;
            } catch (ProviderException e) {
                last = e.error();
                if (!last.retryable()) {
                    break;
                }
            }
        }
        gate.emit(new SttEvent.Failed(last));
        return false;
    }

    /** CloseStream, then wait for Deepgram's last results and its close, within the grace period. */
    private void finish() throws InterruptedException {
        send("{\"type\":\"CloseStream\"}");
        long deadline = System.nanoTime() + timing.closeGrace().toNanos();
        while (connection != null) {
            var command = next(Math.max(deadline - System.nanoTime(), 0));
            if (command == null || command instanceof Ended ended && ended.generation() == generation) {
                break;
            }
        }
        if (connection != null) {
            connection.socket().close();
        }
        gate.emit(new SttEvent.Closed());
    }

    /** From a socket reader: results covered this socket's audio up to {@code endSeconds}, finally or not. */
    void acknowledged(int socketGeneration, double endSeconds, boolean isFinal) {
        post(new Ack(socketGeneration, endSeconds, isFinal));
    }

    /** From a socket reader: the message as JSON, or null after ending the socket for malformed JSON. */
    JsonNode parsed(int socketGeneration, String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            ended(socketGeneration, new ProviderError(ProviderError.Kind.PROTOCOL, DeepgramSpeechToText.PROVIDER,
                    "malformed message: " + ProviderError.abbreviate(text), false));
            return null;
        }
    }

    /** From a socket reader: the socket ended or spoke nonsense. */
    void ended(int socketGeneration, ProviderError error) {
        post(new Ended(socketGeneration, error));
    }
}
