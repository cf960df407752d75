package dev.dialtone.fakes;

import dev.dialtone.audio.MuLaw;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A fake Deepgram live-transcription server ({@code wss://.../v1/listen}, protocols.md section 4).
 *
 * <p>It cannot understand speech, so it is scripted: an energy detector on the decoded mu-law finds
 * utterances, and the text of each comes from the script (a list in order, or a function of the
 * utterance, e.g. of its tone frequency). Timing follows the audio clock, like the real service:
 * 8000 bytes received = 1 s, whatever the wall clock says. Per utterance it sends SpeechStarted,
 * interim Results while the speech lasts (one more word heard every {@link #interimEvery}), an
 * {@code is_final}+{@code speech_final} Result once the endpointing silence has been received, then
 * UtteranceEnd after {@code utterance_end_ms}. Silence is finalised with empty finals every second of
 * audio.
 *
 * <p>Like the real service, a long utterance is finalised in pieces: every {@link #finalsEvery} of
 * speech (3 s) the words heard so far go out as an {@code is_final} Result, cut after the last
 * sentence end among them if there is one; only the last piece carries {@code speech_final}. When
 * the pieces took every word, {@code speech_final} comes on an empty final of its own, and
 * {@link #emptySpeechFinalEvery} makes that happen for every n-th utterance as well (Deepgram sends
 * such an empty {@code speech_final} after the last words now and then). KeepAlive, Finalize and CloseStream behave as
 * documented, and a socket with neither audio nor KeepAlive for the idle timeout (10 s, settable) is
 * closed with 1011.
 *
 * <p>Start one in a test:
 * <pre>{@code
 * try (var deepgram = new FakeDeepgramStt("dg-key")) {
 *     deepgram.script("I'd like a large pizza", "yes please");
 *     var stt = new DeepgramSpeechToText(deepgram.baseUrl(), "dg-key", DeepgramSpeechToText.Timing.defaults());
 *     var session = stt.open(SttOptions.defaults(), events);
 *     session.sendAudio(FakeDeepgramStt.tone(440, 1500));   // speech...
 *     session.sendAudio(FakeDeepgramStt.silence(1500));     // ...and the silence that ends the turn
 *     deepgram.awaitConnection(0, 1000).audio();     // every byte it received
 * }
 * }</pre>
 * Faults: {@link #failNextConnection} (refuse, garbage, 401, 429, 500 on the upgrade) and
 * {@link #dropAfterAudioBytes} (cut a socket mid-stream); {@link #latency} delays every result.
 */
public final class FakeDeepgramStt implements AutoCloseable {

    /** What the script knows about an utterance when its text is needed. */
    public record Utterance(int index, double startSeconds, double toneHz) {
    }

    /** One socket as the fake saw it. */
    public static final class Connection {
        final FakeServerExchange exchange;
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final List<String> controls = new CopyOnWriteArrayList<>();
        volatile int closeCode = -1;
        /** Counted down when the fake stops reading this socket (CloseStream, close or drop). */
        final CountDownLatch readingDone = new CountDownLatch(1);

        Connection(FakeServerExchange exchange) {
            this.exchange = exchange;
        }

        /** Every audio byte received on this socket, in order. */
        public byte[] audio() {
            synchronized (audio) {
                return audio.toByteArray();
            }
        }

        /** Types of the control messages received ("KeepAlive", "Finalize", "CloseStream"). */
        public List<String> controls() {
            return List.copyOf(controls);
        }

        public String query(String name) {
            return exchange.query(name).orElse(null);
        }

        public List<String> queryAll(String name) {
            return exchange.queryAll(name);
        }

        public String authorization() {
            return exchange.header("authorization").orElse("");
        }

        /**
         * Waits until the fake stopped reading this socket, so that {@link #audio()} holds every byte
         * the client sent before its CloseStream or close; false if it is still reading after {@code millis}.
         */
        public boolean awaitReadingDone(long millis) throws InterruptedException {
            return readingDone.await(millis, TimeUnit.MILLISECONDS);
        }

        /** The close code the fake sent (1000 after CloseStream, 1011 idle), or -1. */
        public int closeCode() {
            return closeCode;
        }
    }

    private final FakeServer server;
    private final String expectedKey;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<FakeServerFault> connectionFaults = new ConcurrentLinkedQueue<>();
    final AtomicInteger utterancesFinalised = new AtomicInteger();
    /** Utterances ended by endpointing (speech_final), for {@link #emptySpeechFinalEvery}. */
    final AtomicInteger utterancesEndpointed = new AtomicInteger();
    final AtomicLong dropAfterBytes = new AtomicLong(-1);
    final AtomicLong muteAfterBytes = new AtomicLong(-1);
    volatile Function<Utterance, String> script = u -> "";
    volatile Duration idleTimeout = Duration.ofSeconds(10);
    volatile Duration latency = Duration.ZERO;
    volatile int energyThreshold = 500;
    volatile Duration interimEvery = Duration.ofMillis(300);
    volatile Duration speechStartedAfter = Duration.ZERO;
    volatile Duration finalEvery = Duration.ofSeconds(3);
    volatile int emptySpeechFinalEvery;
    volatile boolean keepRecords = true;

    /** @param expectedKey the API key to accept ({@code Authorization: Token key}), or null for any */
    public FakeDeepgramStt(String expectedKey) {
        this.expectedKey = expectedKey;
        this.server = new FakeServer(this::handle);
    }

    /** Shares {@code server}'s port with other fakes (see {@link FakeDeepgram}); the server routes here. */
    FakeDeepgramStt(String expectedKey, FakeServer server) {
        this.expectedKey = expectedKey;
        this.server = server;
    }

    /** The DEEPGRAM_URL a client is configured with (http; the client derives ws). */
    public URI baseUrl() {
        return server.httpBase();
    }

    /** Utterance texts in order; the n-th finalised utterance gets the n-th text ("" after the end). */
    public FakeDeepgramStt script(String... utterances) {
        var texts = List.of(utterances);
        script = u -> u.index() < texts.size() ? texts.get(u.index()) : "";
        return this;
    }

    /** Text as a function of the utterance (its index, start, dominant tone frequency). */
    public FakeDeepgramStt script(Function<Utterance, String> function) {
        script = function;
        return this;
    }

    /**
     * Whether sockets and their audio are kept for {@link #connections()} (the default); a long
     * benchmark turns this off so that the fake does not hold every byte of every call.
     */
    public FakeDeepgramStt keepRecords(boolean keep) {
        keepRecords = keep;
        return this;
    }

    public FakeDeepgramStt idleTimeout(Duration timeout) {
        idleTimeout = timeout;
        return this;
    }

    /** Wall-clock delay added before every message the fake sends. */
    public FakeDeepgramStt latency(Duration delay) {
        latency = delay;
        return this;
    }

    /** Audio duration between interim results while speech lasts. */
    public FakeDeepgramStt interimEvery(Duration audio) {
        interimEvery = audio;
        return this;
    }

    /**
     * Speech heard before SpeechStarted is sent (with vad_events): the real service decides on a
     * window of audio, not on the first frame. The message's timestamp stays the speech's start.
     */
    public FakeDeepgramStt speechStartedAfter(Duration speech) {
        speechStartedAfter = speech;
        return this;
    }

    /** Speech between two is_final pieces of one utterance; zero finalises each utterance whole. */
    public FakeDeepgramStt finalsEvery(Duration speech) {
        finalEvery = speech;
        return this;
    }

    /**
     * Every {@code n}-th utterance ended by endpointing (counted from 1 across sockets) gets its
     * {@code speech_final} on an extra empty final after its last words; 0 (the default) never.
     */
    public FakeDeepgramStt emptySpeechFinalEvery(int n) {
        emptySpeechFinalEvery = n;
        return this;
    }

    /** RMS (16-bit linear) above which a 20 ms frame counts as speech. */
    public FakeDeepgramStt energyThreshold(int rms) {
        energyThreshold = rms;
        return this;
    }

    /** The next connection attempt gets this fault instead of an upgrade. */
    public FakeDeepgramStt failNextConnection(FakeServerFault fault) {
        connectionFaults.add(fault);
        return this;
    }

    /** The next socket to have received {@code bytes} audio bytes is cut without a close frame. */
    public FakeDeepgramStt dropAfterAudioBytes(long bytes) {
        dropAfterBytes.set(bytes);
        return this;
    }

    /**
     * The next socket to have received {@code bytes} audio bytes goes dead without closing: it keeps
     * reading but never answers again (a half-open connection).
     */
    public FakeDeepgramStt muteAfterAudioBytes(long bytes) {
        muteAfterBytes.set(bytes);
        return this;
    }

    /** Every accepted socket so far. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Waits for the {@code index}-th accepted socket (0-based). */
    public Connection awaitConnection(int index, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (connections.size() <= index) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("FakeDeepgramStt: no connection #" + index + " within " + millis + " ms");
            }
            opened.poll(left, TimeUnit.NANOSECONDS);
        }
        return connections.get(index);
    }

    void handle(FakeServerExchange exchange) throws Exception {
        if (!exchange.path().equals("/v1/listen") || !exchange.isWebSocketUpgrade()) {
            exchange.respond(404, "application/json", "{\"err_code\":\"NOT_FOUND\",\"err_msg\":\"not found\"}");
            return;
        }
        var fault = connectionFaults.poll();
        if (fault == null && expectedKey != null && !exchange.header("authorization").orElse("").equals("Token " + expectedKey)) {
            fault = FakeServerFault.UNAUTHORIZED;
        }
        if (fault != null) {
            exchange.fault(fault);
            return;
        }
        var connection = new Connection(exchange);
        var socket = exchange.upgrade();
        if (keepRecords) {
            connections.add(connection);
            opened.add(connection);
        }
        try {
            new FakeDeepgramSttStream(this, connection, socket).run();
        } finally {
            connection.readingDone.countDown();
        }
    }

    /** A sine tone as mu-law 8 kHz: "speech" to the energy detector, with a frequency scripts can map. */
    public static byte[] tone(double hz, int millis) {
        var samples = new short[millis * 8];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) (8000 * Math.sin(2 * Math.PI * hz * i / 8000.0));
        }
        return MuLaw.encode(samples);
    }

    /** Line silence as mu-law 8 kHz. */
    public static byte[] silence(int millis) {
        var bytes = new byte[millis * 8];
        Arrays.fill(bytes, MuLaw.SILENCE);
        return bytes;
    }

    @Override
    public void close() {
        server.close();
    }
}
