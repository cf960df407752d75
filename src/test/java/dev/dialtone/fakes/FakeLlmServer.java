package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A scripted streaming LLM server: what {@link FakeOpenAi} and {@link FakeAnthropic} share (the
 * script of replies, latency, faults, and the record of requests and hang-ups). Each protocol only
 * writes its own SSE wire format.
 *
 * <p>Replies are served in order (when none is queued, the {@link #respondWith responder}'s, by
 * default "OK."). A key given at start is enforced
 * (401 otherwise). Latency: {@link #headerDelay} before the response headers,
 * {@link #timeToFirstToken} before the first content event, {@link #perTokenDelay} between later
 * events. Faults: {@link #failNext} for the next request.
 */
public final class FakeLlmServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A scripted tool call; its arguments are streamed in {@code fragments} pieces. */
    public record Call(String id, String name, String argumentsJson, int fragments) {
        public Call(String id, String name, String argumentsJson) {
            this(id, name, argumentsJson, 3);
        }
    }

    /**
     * A scripted reply: text tokens, then tool calls, then the finish.
     *
     * @param finishReason in OpenAI's words ("stop", "tool_calls", "length"); each protocol maps it
     */
    public record Reply(List<String> tokens, List<Call> calls, String finishReason, int inputTokens, int outputTokens) {
        /** A finish reason that makes the stream end with the protocol's in-stream error after the tokens. */
        public static final String ERROR = "error";

        /** Tokens, then an error inside the HTTP 200 stream (OpenAI's error chunk, Anthropic's error event). */
        public static Reply failingAfter(String... tokens) {
            return new Reply(List.of(tokens), List.of(), ERROR, 0, 0);
        }

        public static Reply text(String... tokens) {
            return new Reply(List.of(tokens), List.of(), "stop", 42, tokens.length);
        }

        public static Reply toolCalls(Call... calls) {
            return new Reply(List.of(), List.of(calls), "tool_calls", 42, 7 * calls.length);
        }
    }

    /** One request received, with its connection (to see whether the client hung up). */
    public record Received(JsonNode body, FakeServerExchange exchange) {
        public String header(String name) {
            return exchange.header(name).orElse("");
        }

        public boolean awaitClientClose(long millis) throws InterruptedException {
            return exchange.awaitClientClose(millis);
        }

        /** System.nanoTime() when the client hung up, 0 if it has not. */
        public long clientClosedNanos() {
            return exchange.clientClosedNanos();
        }
    }

    /** A request the real API refuses: its HTTP status and error body. */
    public record Refusal(int status, String body) {
    }

    /** One wire format. */
    interface Protocol {
        /** The path requests must be POSTed to. */
        String path();

        /** The base URL clients are configured with, given the server root. */
        URI baseUrl(URI root);

        boolean authorised(FakeServerExchange exchange, String expectedKey);

        /** What the real API would refuse this request with, if anything. */
        Optional<Refusal> refusal(JsonNode request);

        /** Writes the whole streamed reply; {@code events.send} applies the latency. */
        void stream(JsonNode request, Reply reply, EventWriter events) throws IOException;
    }

    /** Writes SSE events with the configured latency; cuts the stream for DROP_MID_STREAM. */
    final class EventWriter {
        private final FakeServerExchange exchange;
        private final int dropAt;
        private int sent;

        EventWriter(FakeServerExchange exchange, int dropAt) {
            this.exchange = exchange;
            this.dropAt = dropAt;
        }

        /** Sends one SSE event ({@code event} may be null for data-only events). */
        void send(String event, String data) throws IOException {
            if (sent == dropAt) {
                exchange.drop();
                throw new IOException("dropped by the test");
            }
            FakeServer.pause(sent == 0 ? timeToFirstToken : perTokenDelay);
            exchange.writeChunk((event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n");
            sent++;
        }
    }

    private final FakeServer server;
    private final Protocol protocol;
    private final String expectedKey;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FakeServerFault> faults = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Received> unclaimed = new LinkedBlockingQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Refusal> refused = new CopyOnWriteArrayList<>();
    private volatile Duration headerDelay = Duration.ZERO;
    private volatile Duration timeToFirstToken = Duration.ZERO;
    private volatile Duration perTokenDelay = Duration.ZERO;
    private volatile Function<JsonNode, Reply> responder = request -> Reply.text("OK.");
    private volatile boolean keepRecords = true;

    FakeLlmServer(Protocol protocol, String expectedKey) {
        this.protocol = protocol;
        this.expectedKey = expectedKey;
        this.server = FakeServer.keepingAlive(this::handle);
    }

    /** The base URL a client is configured with. */
    public URI baseUrl() {
        return protocol.baseUrl(server.httpBase());
    }

    public FakeLlmServer enqueue(Reply reply) {
        replies.add(reply);
        return this;
    }

    /** Drops the replies still queued: a test that failed half-way leaves none to the next. */
    public FakeLlmServer clearReplies() {
        replies.clear();
        return this;
    }

    /**
     * The reply to a request when none is queued, as a function of the request's body (the
     * default says "OK."). Concurrent conversations each get the reply their own history calls
     * for, where a shared queue would hand one call's reply to another.
     */
    public FakeLlmServer respondWith(Function<JsonNode, Reply> responder) {
        this.responder = responder;
        return this;
    }

    /**
     * Whether requests are kept for {@link #requests()} and {@link #awaitRequest} (the default);
     * a long benchmark turns this off so that the fake does not hold every request it served.
     */
    public FakeLlmServer keepRecords(boolean keep) {
        keepRecords = keep;
        return this;
    }

    public FakeLlmServer failNext(FakeServerFault fault) {
        faults.add(fault);
        return this;
    }

    public FakeLlmServer headerDelay(Duration delay) {
        headerDelay = delay;
        return this;
    }

    public FakeLlmServer timeToFirstToken(Duration delay) {
        timeToFirstToken = delay;
        return this;
    }

    public FakeLlmServer perTokenDelay(Duration delay) {
        perTokenDelay = delay;
        return this;
    }

    /** Every request refused as the real API would refuse it, oldest first. */
    public List<Refusal> refusals() {
        return List.copyOf(refused);
    }

    /** Every request received so far, oldest first. */
    public List<Received> requests() {
        return List.copyOf(received);
    }

    /** The next request not yet claimed by an earlier call, waiting up to {@code millis}. */
    public Received awaitRequest(long millis) throws InterruptedException {
        var request = unclaimed.poll(millis, TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("no LLM request within " + millis + " ms");
        }
        return request;
    }

    private void handle(FakeServerExchange exchange) throws Exception {
        if (!exchange.method().equals("POST") || !exchange.path().equals(protocol.path())) {
            exchange.respond(404, "application/json", "{\"error\":{\"message\":\"not found\",\"type\":\"not_found_error\"}}");
            return;
        }
        var request = new Received(JSON.readTree(exchange.bodyText()), exchange);
        if (keepRecords) {
            received.add(request);
            unclaimed.add(request);
        }
        var fault = faults.poll();
        if (expectedKey != null && !protocol.authorised(exchange, expectedKey)) {
            fault = FakeServerFault.UNAUTHORIZED;
        }
        if (fault != null && fault != FakeServerFault.DROP_MID_STREAM) {
            exchange.fault(fault);
            return;
        }
        var refusal = protocol.refusal(request.body());
        if (refusal.isPresent()) {
            refused.add(refusal.get());
            exchange.respond(refusal.get().status(), "application/json", refusal.get().body());
            return;
        }
        exchange.watchForHangUp();
        FakeServer.pause(headerDelay);
        exchange.startChunks(200, "text/event-stream; charset=utf-8");
        var reply = replies.poll();
        var script = reply == null ? responder.apply(request.body()) : reply;
        int events = 3 + script.tokens().size() + script.calls().size() * 3;
        protocol.stream(request.body(), script, new EventWriter(exchange, fault == FakeServerFault.DROP_MID_STREAM ? events / 2 : -1));
        exchange.endChunks();
    }

    /** Splits text into n nearly equal pieces (arguments arrive in fragments like the real APIs). */
    static List<String> split(String text, int n) {
        var pieces = new ArrayList<String>();
        int parts = Math.max(1, Math.min(n, text.length()));
        for (int i = 0; i < parts; i++) {
            pieces.add(text.substring(i * text.length() / parts, (i + 1) * text.length() / parts));
        }
        return pieces;
    }

    @Override
    public void close() {
        server.close();
    }
}
