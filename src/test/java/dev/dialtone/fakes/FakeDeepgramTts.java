package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fake Deepgram Aura TTS server (protocols.md section 5), both transports on one port:
 * <ul>
 *   <li>WebSocket {@code /v1/speak}: a {@code Metadata} message on open; Speak buffers text, Flush
 *       synthesises it (binary audio chunks, then {@code Flushed} with its sequence id), Clear stops
 *       the audio in progress, drops buffered text and answers {@code Cleared} (and then, if
 *       {@link #flushedAfterCleared}, a {@code Flushed} for each flush it cut short: Deepgram does not
 *       document either way), Close ends the socket. A Flush past {@link #flushLimit} (20 per 60 s)
 *       is answered with a {@code Warning} and not carried out.</li>
 *   <li>REST {@code POST /v1/speak}: the audio as a chunked body, raw with {@code container=none}
 *       and behind a 44-byte WAV header otherwise, as the real service does.</li>
 * </ul>
 * Audio is a tone, {@link #msPerChar} per character of text, first byte after
 * {@link #firstByteDelay}, in chunks of {@link #chunkBytes}.
 *
 * <p>Start one in a test:
 * <pre>{@code
 * try (var aura = new FakeDeepgramTts("dg-key").firstByteDelay(Duration.ofMillis(80))) {
 *     var tts = new DeepgramTextToSpeech(aura.baseUrl(), "dg-key", Duration.ofSeconds(2));
 *     var session = tts.open(new TtsOptions("aura-2-thalia-en", ""), events);
 *     session.speak(1, "Hello there.");
 *     aura.awaitSocket(0, 1000).messages();   // every control message it received
 * }
 * }</pre>
 * Faults: {@link #failNextConnection} (WebSocket upgrade), {@link #failNextRequest} (REST, including
 * {@code DROP_MID_STREAM}), {@link #dropSocketAfterChunks} (cut a socket mid-audio),
 * {@link #warnDuringNextFlush} (a Warning between two chunks of a segment's audio).
 */
public final class FakeDeepgramTts implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WAV_HEADER = 44;

    /** Socket behaviour a test may change while it runs; each socket reads it as it goes. */
    static final class Settings {
        volatile int flushLimit = 20;
        volatile Duration flushWindow = Duration.ofSeconds(60);
        volatile boolean flushedAfterCleared;
        /** Code and message of a Warning to send during the next flush's audio, or null. */
        final AtomicReference<String[]> warnDuringNextFlush = new AtomicReference<>();

        int flushLimit() {
            return flushLimit;
        }

        Duration flushWindow() {
            return flushWindow;
        }

        boolean flushedAfterCleared() {
            return flushedAfterCleared;
        }
    }

    /** One WebSocket as the fake saw it. */
    public static final class Socket {
        final FakeServerExchange exchange;
        final List<JsonNode> messages = new CopyOnWriteArrayList<>();
        final List<JsonNode> warningsSent = new CopyOnWriteArrayList<>();
        final List<String> sentTypes = new CopyOnWriteArrayList<>();
        final AtomicInteger dropAfterChunks = new AtomicInteger(-1);

        Socket(FakeServerExchange exchange) {
            this.exchange = exchange;
        }

        /** Every text message received, parsed. */
        public List<JsonNode> messages() {
            return List.copyOf(messages);
        }

        /** The types of the JSON messages the fake sent on this socket ("Metadata", "Flushed", ...), in order. */
        public List<String> sentTypes() {
            return List.copyOf(sentTypes);
        }

        /** The Warning messages the fake sent on this socket. */
        public List<JsonNode> warningsSent() {
            return List.copyOf(warningsSent);
        }

        /** The types of the messages received, in order. */
        public List<String> types() {
            return messages.stream().map(m -> m.path("type").asText()).toList();
        }

        public String query(String name) {
            return exchange.query(name).orElse(null);
        }

        public String authorization() {
            return exchange.header("authorization").orElse("");
        }

        /** Cuts this open socket (no close frame) after it has sent {@code chunks} more audio chunks. */
        public void dropAfterChunks(int chunks) {
            dropAfterChunks.set(chunks);
        }
    }

    /** One REST request. */
    public record Request(FakeServerExchange exchange, String text) {
    }

    private final FakeServer server;
    private final String expectedKey;
    private final FakeTtsServer voice = new FakeTtsServer();
    private final ConcurrentLinkedQueue<FakeServerFault> connectionFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FakeServerFault> requestFaults = new ConcurrentLinkedQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Socket> opened = new LinkedBlockingQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Request> unclaimed = new LinkedBlockingQueue<>();
    private final AtomicInteger dropAfterChunks = new AtomicInteger(-1);
    private final Settings settings = new Settings();
    private volatile boolean keepRecords = true;

    /** @param expectedKey the key to accept ({@code Authorization: Token key}), or null for any */
    public FakeDeepgramTts(String expectedKey) {
        this(expectedKey, false);
    }

    /** As the real service does, each REST answer leaves its connection open for the next request. */
    public static FakeDeepgramTts keepingAlive(String expectedKey) {
        return new FakeDeepgramTts(expectedKey, true);
    }

    private FakeDeepgramTts(String expectedKey, boolean keepAlive) {
        this.expectedKey = expectedKey;
        this.server = keepAlive ? FakeServer.keepingAlive(this::handle) : new FakeServer(this::handle);
    }

    /** Shares {@code server}'s port with other fakes (see {@link FakeDeepgram}); the server routes here. */
    FakeDeepgramTts(String expectedKey, FakeServer server) {
        this.expectedKey = expectedKey;
        this.server = server;
    }

    /**
     * Whether sockets and requests are kept for {@link #sockets()} and {@link #requests()} (the
     * default); a long benchmark turns this off so that the fake does not hold every one it served.
     */
    public FakeDeepgramTts keepRecords(boolean keep) {
        keepRecords = keep;
        return this;
    }

    /** The DEEPGRAM_URL a client is configured with. */
    public URI baseUrl() {
        return server.httpBase();
    }

    public FakeDeepgramTts msPerChar(int millis) {
        voice.msPerChar = millis;
        return this;
    }

    public FakeDeepgramTts firstByteDelay(Duration delay) {
        voice.firstByteDelay = delay;
        return this;
    }

    public FakeDeepgramTts chunkBytes(int bytes) {
        voice.chunkBytes = bytes;
        return this;
    }

    public FakeDeepgramTts chunkInterval(Duration interval) {
        voice.chunkInterval = interval;
        return this;
    }

    /** Audio bytes the fake produces for {@code text}. */
    public int audioLength(String text) {
        return voice.audioLength(text);
    }

    public FakeDeepgramTts failNextConnection(FakeServerFault fault) {
        connectionFaults.add(fault);
        return this;
    }

    public FakeDeepgramTts failNextRequest(FakeServerFault fault) {
        requestFaults.add(fault);
        return this;
    }

    /** Each socket carries out at most {@code limit} Flushes within any {@code window} (Deepgram: 20 per 60 s). */
    public FakeDeepgramTts flushLimit(int limit, Duration window) {
        settings.flushLimit = limit;
        settings.flushWindow = window;
        return this;
    }

    /** Whether a Clear is followed by a Flushed for each flush it cut short (default: only Cleared). */
    public FakeDeepgramTts flushedAfterCleared(boolean sent) {
        settings.flushedAfterCleared = sent;
        return this;
    }

    /** The next Flush carried out sends {@code {"type":"Warning",...}} after the first chunk of its audio. */
    public FakeDeepgramTts warnDuringNextFlush(String code, String message) {
        settings.warnDuringNextFlush.set(new String[] {code, message});
        return this;
    }

    /** The next socket is cut (no close frame) after sending this many audio chunks. */
    public FakeDeepgramTts dropSocketAfterChunks(int chunks) {
        dropAfterChunks.set(chunks);
        return this;
    }

    public List<Socket> sockets() {
        return List.copyOf(sockets);
    }

    public Socket awaitSocket(int index, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (sockets.size() <= index) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("FakeDeepgramTts: no socket #" + index + " within " + millis + " ms");
            }
            opened.poll(left, TimeUnit.NANOSECONDS);
        }
        return sockets.get(index);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public Request awaitRequest(long millis) throws InterruptedException {
        var request = unclaimed.poll(millis, TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("FakeDeepgramTts: no REST request within " + millis + " ms");
        }
        return request;
    }

    private boolean authorised(FakeServerExchange exchange) {
        return expectedKey == null || exchange.header("authorization").orElse("").equals("Token " + expectedKey);
    }

    void handle(FakeServerExchange exchange) throws Exception {
        if (!exchange.path().equals("/v1/speak")) {
            exchange.respond(404, "application/json", "{\"err_code\":\"NOT_FOUND\",\"err_msg\":\"not found\"}");
        } else if (exchange.isWebSocketUpgrade()) {
            var fault = connectionFaults.poll();
            if (fault == null && !authorised(exchange)) {
                fault = FakeServerFault.UNAUTHORIZED;
            }
            if (fault != null) {
                exchange.fault(fault);
                return;
            }
            // registered and given its faults before the 101 goes out: a client may open its next
            // socket as soon as this one is open, and the order of sockets is the order of opening
            var socket = new Socket(exchange);
            int dropAfter = dropAfterChunks.getAndSet(-1);
            if (keepRecords) {
                sockets.add(socket);
                opened.add(socket);
            }
            new FakeDeepgramTtsSocket(socket, exchange.upgrade(), voice, settings, dropAfter).run();
        } else if (exchange.method().equals("POST")) {
            rest(exchange);
        } else {
            exchange.respond(405, "application/json", "{\"err_code\":\"METHOD\",\"err_msg\":\"method not allowed\"}");
        }
    }

    private void rest(FakeServerExchange exchange) throws IOException {
        var text = JSON.readTree(exchange.bodyText()).path("text").asText();
        var request = new Request(exchange, text);
        if (keepRecords) {
            requests.add(request);
            unclaimed.add(request);
        }
        var fault = requestFaults.poll();
        if (fault == null && !authorised(exchange)) {
            fault = FakeServerFault.UNAUTHORIZED;
        }
        if (fault != null && fault != FakeServerFault.DROP_MID_STREAM) {
            exchange.fault(fault);
            return;
        }
        exchange.startChunks(200, "audio/mulaw");
        if (!"none".equals(exchange.query("container").orElse("wav"))) {
            var header = new byte[WAV_HEADER];
            System.arraycopy("RIFF".getBytes(), 0, header, 0, 4);
            System.arraycopy("WAVE".getBytes(), 0, header, 8, 4);
            exchange.writeChunk(header);
        }
        int total = voice.audioLength(text) / voice.chunkBytes;
        int stopAfter = fault == FakeServerFault.DROP_MID_STREAM ? Math.max(1, total / 2) : -1;
        voice.stream(text, exchange::clientClosed, stopAfter, exchange::writeChunk);
        if (stopAfter >= 0) {
            exchange.drop();
            return;
        }
        exchange.endChunks();
    }

    @Override
    public void close() {
        server.close();
    }
}
