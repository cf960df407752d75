package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake ElevenLabs TTS server (protocols.md section 6), both transports on one port:
 * <ul>
 *   <li>WebSocket {@code /v1/text-to-speech/{voice}/stream-input}: the first message opens the
 *       stream ({@code "text":" "}), later ones add text; {@code flush:true} or the closing
 *       {@code {"text":""}} synthesises the buffered text as {@code {"audio":base64,
 *       "normalizedAlignment":...}} messages; the close is answered with {@code isFinal} and a close
 *       frame. A socket without text for its inactivity timeout (the client's
 *       {@code inactivity_timeout} query parameter, 1 to 180 s, else {@link #inactivityTimeout}, 20 s) is
 *       closed as the real service closes it: a JSON error ({@code "error":"input_timeout_exceeded"})
 *       then close code 1008 (see {@link FakeElevenLabsSocket}). A wrong key, a message that is not
 *       a JSON object with a text, or voice settings out of their documented ranges are refused the
 *       same way (the upgrade itself succeeds).</li>
 *   <li>HTTP {@code POST /v1/text-to-speech/{voice}/stream?output_format=ulaw_8000}: the audio as a
 *       chunked body; errors as JSON bodies: 401 {@code {"detail":{"status":"invalid_api_key",...}}},
 *       422 {@code {"detail":[{"loc":[...],"msg":...}]}} for voice settings out of range.</li>
 * </ul>
 * Audio: see {@link FakeTtsServer}. Faults: {@link #failNextConnection}, {@link #failNextRequest},
 * {@link #dropSocketAfterChunks}, {@link #expireNextSocketAtFirstText()} (the inactivity timeout
 * crossing the client's text), and {@link #jsonWith200Next()} (an error body sent with status 200,
 * which a client must still not play).
 *
 * <p>Start one in a test:
 * <pre>{@code
 * try (var eleven = new FakeElevenLabs("xi-key")) {
 *     var tts = new ElevenLabsTextToSpeech(eleven.baseUrl(), "xi-key", Duration.ofSeconds(2), Duration.ofSeconds(5));
 *     var session = tts.open(new TtsOptions("voice123", "eleven_flash_v2_5"), events);
 *     session.speak(1, "Hello there.");
 * }
 * }</pre>
 */
public final class FakeElevenLabs implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest {@code inactivity_timeout} ElevenLabs accepts. */
    static final Duration MAX_INACTIVITY = Duration.ofSeconds(180);
    /** The documented ranges of the numeric voice settings. */
    private static final Map<String, double[]> VOICE_SETTING_RANGES = Map.of("stability", new double[] {0, 1},
            "similarity_boost", new double[] {0, 1}, "style", new double[] {0, 1}, "speed", new double[] {0.7, 1.2});

    /** One WebSocket as the fake saw it. */
    public static final class Socket {
        final FakeServerExchange exchange;
        final List<JsonNode> messages = new CopyOnWriteArrayList<>();
        /** Counted down when the fake stops serving this socket: the client answered its close, or it was cut. */
        final CountDownLatch served = new CountDownLatch(1);
        /** The error messages the fake sent before closing the socket early. */
        final List<JsonNode> errorsSent = new CopyOnWriteArrayList<>();
        /** 1008 when the fake closed the socket early, else -1. */
        volatile int closeCode = -1;

        Socket(FakeServerExchange exchange) {
            this.exchange = exchange;
        }

        /** Waits until the fake stopped serving this socket; false if it still serves it after {@code millis}. */
        public boolean awaitServed(long millis) throws InterruptedException {
            return served.await(millis, TimeUnit.MILLISECONDS);
        }

        public List<JsonNode> messages() {
            return List.copyOf(messages);
        }

        public String path() {
            return exchange.path();
        }

        public String query(String name) {
            return exchange.query(name).orElse(null);
        }

        public String apiKey() {
            return exchange.header("xi-api-key").orElse("");
        }

        /** The error messages the fake sent before closing this socket early (timeout, bad input). */
        public List<JsonNode> errorsSent() {
            return List.copyOf(errorsSent);
        }

        /** 1008 if the fake closed this socket early (timeout, bad input), else -1. */
        public int closeCode() {
            return closeCode;
        }
    }

    /** One HTTP request. */
    public record Request(FakeServerExchange exchange, JsonNode body) {
    }

    private final FakeServer server;
    private final String expectedKey;
    private final FakeTtsServer voice = new FakeTtsServer();
    private final ConcurrentLinkedQueue<FakeServerFault> connectionFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FakeServerFault> requestFaults = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean jsonWith200 = new AtomicBoolean();
    private final AtomicInteger dropAfterChunks = new AtomicInteger(-1);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** One entry per socket opened, to wake {@link #awaitSocket}. */
    private final BlockingQueue<Socket> socketOpened = new LinkedBlockingQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Request> unclaimed = new LinkedBlockingQueue<>();
    private final AtomicBoolean expireAtFirstText = new AtomicBoolean();
    private volatile Duration inactivityTimeout = Duration.ofSeconds(20);

    /** @param expectedKey the {@code xi-api-key} to accept, or null for any */
    public FakeElevenLabs(String expectedKey) {
        this.expectedKey = expectedKey;
        this.server = new FakeServer(this::handle);
    }

    /** The ELEVENLABS_URL a client is configured with. */
    public URI baseUrl() {
        return server.httpBase();
    }

    public FakeElevenLabs msPerChar(int millis) {
        voice.msPerChar = millis;
        return this;
    }

    public FakeElevenLabs firstByteDelay(Duration delay) {
        voice.firstByteDelay = delay;
        return this;
    }

    public FakeElevenLabs chunkBytes(int bytes) {
        voice.chunkBytes = bytes;
        return this;
    }

    public FakeElevenLabs chunkInterval(Duration interval) {
        voice.chunkInterval = interval;
        return this;
    }

    /**
     * How long a socket may go without text before it is closed, when the client does not ask for
     * its own {@code inactivity_timeout} (ElevenLabs: 20 s).
     */
    public FakeElevenLabs inactivityTimeout(Duration timeout) {
        inactivityTimeout = timeout;
        return this;
    }

    /**
     * The next socket's inactivity timer runs out just as the client's first text (after the opening
     * message) arrives: that text is ignored and the socket closed for inactivity, as happens when a
     * client speaks on a socket the service is closing at that moment.
     */
    public FakeElevenLabs expireNextSocketAtFirstText() {
        expireAtFirstText.set(true);
        return this;
    }

    public FakeElevenLabs failNextConnection(FakeServerFault fault) {
        connectionFaults.add(fault);
        return this;
    }

    public FakeElevenLabs failNextRequest(FakeServerFault fault) {
        requestFaults.add(fault);
        return this;
    }

    /** The next HTTP request is answered 200 with a JSON error body instead of audio. */
    public FakeElevenLabs jsonWith200Next() {
        jsonWith200.set(true);
        return this;
    }

    /** The next socket is cut (no close frame) after this many audio messages. */
    public FakeElevenLabs dropSocketAfterChunks(int chunks) {
        dropAfterChunks.set(chunks);
        return this;
    }

    public List<Socket> sockets() {
        return List.copyOf(sockets);
    }

    /** The {@code index}th socket opened (from 0), waiting up to {@code millis} for it. */
    public Socket awaitSocket(int index, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (sockets.size() <= index) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("FakeElevenLabs: no socket #" + index + " within " + millis + " ms");
            }
            socketOpened.poll(left, TimeUnit.NANOSECONDS);
        }
        return sockets.get(index);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public Request awaitRequest(long millis) throws InterruptedException {
        var request = unclaimed.poll(millis, TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("FakeElevenLabs: no HTTP request within " + millis + " ms");
        }
        return request;
    }

    /** The client's {@code inactivity_timeout} (whole seconds, 1 to 180), if it sent a valid one. */
    private static Optional<Duration> requestedTimeout(FakeServerExchange exchange) {
        try {
            return exchange.query("inactivity_timeout").map(Integer::parseInt)
                    .filter(s -> s >= 1 && s <= MAX_INACTIVITY.toSeconds()).map(Duration::ofSeconds);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** What is wrong with a {@code voice_settings} object, by ElevenLabs' documented ranges; empty if nothing. */
    static Optional<String> voiceSettingsProblem(JsonNode settings) {
        if (settings.isMissingNode() || settings.isNull()) {
            return Optional.empty();
        }
        if (!settings.isObject()) {
            return Optional.of("voice_settings must be an object");
        }
        for (var field : VOICE_SETTING_RANGES.entrySet()) {
            var value = settings.path(field.getKey());
            if (value.isMissingNode()) {
                continue;
            }
            double low = field.getValue()[0];
            double high = field.getValue()[1];
            if (!value.isNumber() || value.asDouble() < low || value.asDouble() > high) {
                return Optional.of(field.getKey() + " must be a number from " + low + " to " + high + ", not " + value);
            }
        }
        var boost = settings.path("use_speaker_boost");
        return boost.isMissingNode() || boost.isBoolean() ? Optional.empty() : Optional.of("use_speaker_boost must be a boolean");
    }

    private boolean authorised(FakeServerExchange exchange) {
        return expectedKey == null || exchange.header("xi-api-key").orElse("").equals(expectedKey);
    }

    private void handle(FakeServerExchange exchange) throws Exception {
        var path = exchange.path();
        if (!path.startsWith("/v1/text-to-speech/")) {
            exchange.respond(404, "application/json", "{\"detail\":{\"status\":\"not_found\",\"message\":\"Not found\"}}");
        } else if (exchange.isWebSocketUpgrade() && path.endsWith("/stream-input")) {
            // A wrong key is not refused at the upgrade: the service answers the first message with
            // an error and closes the socket with 1008 (FakeElevenLabsSocket).
            var fault = connectionFaults.poll();
            if (fault != null) {
                exchange.fault(fault);
                return;
            }
            // registered and given its faults before the 101 goes out: a client may open its next
            // socket as soon as this one is open, and the order of sockets is the order of opening
            var socket = new Socket(exchange);
            int dropAfter = dropAfterChunks.getAndSet(-1);
            boolean expire = expireAtFirstText.getAndSet(false);
            sockets.add(socket);
            socketOpened.add(socket);
            try {
                var ws = exchange.upgrade();
                var timeout = requestedTimeout(exchange);
                var stream = new FakeElevenLabsSocket(socket, ws, voice, timeout.orElse(inactivityTimeout), expire,
                        !authorised(exchange), dropAfter);
                if (timeout.isEmpty() && exchange.query("inactivity_timeout").isPresent()) {
                    stream.end(FakeElevenLabsSocket.error("inactivity_timeout must be an integer from 1 to "
                            + MAX_INACTIVITY.toSeconds(), "invalid_request"));
                    while (ws.read() != null) {
                        // until the client answers the close
                    }
                    return;
                }
                stream.run();
            } finally {
                socket.served.countDown();
            }
        } else if (exchange.method().equals("POST") && path.endsWith("/stream")) {
            http(exchange);
        } else {
            exchange.respond(405, "application/json", "{\"detail\":{\"status\":\"method_not_allowed\",\"message\":\"Method not allowed\"}}");
        }
    }

    private void http(FakeServerExchange exchange) throws IOException {
        var body = JSON.readTree(exchange.bodyText());
        var request = new Request(exchange, body);
        requests.add(request);
        unclaimed.add(request);
        var fault = requestFaults.poll();
        if (fault == null && !authorised(exchange)) {
            exchange.respond(401, "application/json", "{\"detail\":{\"status\":\"invalid_api_key\",\"message\":\"Invalid API key\"}}");
            return;
        }
        var problem = voiceSettingsProblem(body.path("voice_settings"));
        if (fault == null && problem.isPresent()) {
            var detail = JSON.createObjectNode();
            detail.putArray("detail").addObject().put("type", "value_error").put("msg", problem.get())
                    .putArray("loc").add("body").add("voice_settings");
            exchange.respond(422, "application/json", detail.toString());
            return;
        }
        if (jsonWith200.getAndSet(false)) {
            exchange.respond(200, "application/json", "{\"detail\":{\"status\":\"quota_exceeded\",\"message\":\"This request exceeds your quota.\"}}");
            return;
        }
        if (fault != null && fault != FakeServerFault.DROP_MID_STREAM) {
            exchange.fault(fault);
            return;
        }
        var text = body.path("text").asText();
        exchange.startChunks(200, "audio/basic");
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
