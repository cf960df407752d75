package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fake OpenAI Chat Completions server (protocols.md section 7): {@code POST /v1/chat/completions}
 * answered with the exact streaming SSE shape (role chunk, content deltas, tool-call fragments per
 * index, finish chunk, usage chunk, {@code [DONE]}).
 *
 * <p>Start one in a test:
 * <pre>{@code
 * try (var openAi = new FakeOpenAi("sk-test")) {
 *     openAi.enqueue(FakeOpenAi.Reply.text("Hello ", "there."));
 *     openAi.enqueue(FakeOpenAi.Reply.toolCalls(new FakeOpenAi.Call("call_1", "menu_price", "{\"item\":\"pizza\"}")));
 *     openAi.timeToFirstToken(Duration.ofMillis(100)).perTokenDelay(Duration.ofMillis(5));
 *     var model = new OpenAiChatModel(openAi.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofSeconds(5));
 *     ...
 *     openAi.awaitRequest(1000).body();               // what the client sent, as JSON
 *     openAi.awaitRequest(1000).awaitClientClose(50); // proves a cancel reached the server
 * }
 * }</pre>
 * Replies are served in order; with none queued the fake answers "OK.". A key given to the
 * constructor is enforced (401 otherwise). {@link #failNext} injects a fault into the next request.
 */
public final class FakeOpenAi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scripted tool call; its arguments are streamed in {@code fragments} pieces. */
    public record Call(String id, String name, String argumentsJson, int fragments) {
        public Call(String id, String name, String argumentsJson) {
            this(id, name, argumentsJson, 3);
        }
    }

    /** A scripted reply: text tokens, then tool calls, then the finish reason and usage. */
    public record Reply(List<String> tokens, List<Call> calls, String finishReason, int inputTokens, int outputTokens) {
        public static Reply text(String... tokens) {
            return new Reply(List.of(tokens), List.of(), "stop", 42, tokens.length);
        }

        public static Reply toolCalls(Call... calls) {
            return new Reply(List.of(), List.of(calls), "tool_calls", 42, 7 * calls.length);
        }
    }

    /** One request the fake received, with its connection (to see whether the client hung up). */
    public record Received(JsonNode body, String authorization, FakeServerExchange exchange) {
        public boolean awaitClientClose(long millis) throws InterruptedException {
            return exchange.awaitClientClose(millis);
        }
    }

    private final FakeServer server;
    private final String expectedKey;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FakeServerFault> faults = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Received> unclaimed = new LinkedBlockingQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Duration headerDelay = Duration.ZERO;
    private volatile Duration timeToFirstToken = Duration.ZERO;
    private volatile Duration perTokenDelay = Duration.ZERO;

    /** @param expectedKey the API key to accept, or null to accept any */
    public FakeOpenAi(String expectedKey) {
        this.expectedKey = expectedKey;
        this.server = new FakeServer(this::handle);
    }

    /** The base URL a client is configured with: http://127.0.0.1:port/v1 */
    public URI baseUrl() {
        return URI.create(server.httpBase() + "/v1");
    }

    public FakeOpenAi enqueue(Reply reply) {
        replies.add(reply);
        return this;
    }

    public FakeOpenAi failNext(FakeServerFault fault) {
        faults.add(fault);
        return this;
    }

    /** Delay before the response headers. */
    public FakeOpenAi headerDelay(Duration delay) {
        headerDelay = delay;
        return this;
    }

    /** Delay between the headers and the first content chunk. */
    public FakeOpenAi timeToFirstToken(Duration delay) {
        timeToFirstToken = delay;
        return this;
    }

    /** Delay between later chunks. */
    public FakeOpenAi perTokenDelay(Duration delay) {
        perTokenDelay = delay;
        return this;
    }

    /** Every request received so far, oldest first. */
    public List<Received> requests() {
        return List.copyOf(received);
    }

    /** The next request not yet claimed by an earlier call, waiting up to {@code millis}. */
    public Received awaitRequest(long millis) throws InterruptedException {
        var request = unclaimed.poll(millis, TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("FakeOpenAi received no request within " + millis + " ms");
        }
        return request;
    }

    private void handle(FakeServerExchange exchange) throws Exception {
        if (!exchange.method().equals("POST") || !exchange.path().equals("/v1/chat/completions")) {
            exchange.respond(404, "application/json", "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        var request = new Received(JSON.readTree(exchange.bodyText()), exchange.header("authorization").orElse(""), exchange);
        received.add(request);
        unclaimed.add(request);
        var fault = faults.poll();
        if (expectedKey != null && !request.authorization().equals("Bearer " + expectedKey)) {
            fault = FakeServerFault.UNAUTHORIZED;
        }
        if (fault != null && fault != FakeServerFault.DROP_MID_STREAM) {
            exchange.fault(fault);
            return;
        }
        exchange.watchForHangUp();
        sleep(headerDelay);
        exchange.startChunks(200, "text/event-stream; charset=utf-8");
        var reply = replies.poll();
        stream(exchange, request.body().path("model").asText(), reply == null ? Reply.text("OK.") : reply,
                fault == FakeServerFault.DROP_MID_STREAM);
    }

    private void stream(FakeServerExchange exchange, String model, Reply reply, boolean drop) throws IOException {
        var chunks = new ArrayList<ObjectNode>();
        chunks.add(choice(model, delta -> delta.put("role", "assistant").put("content", ""), null));
        for (var token : reply.tokens()) {
            chunks.add(choice(model, delta -> delta.put("content", token), null));
        }
        for (int index = 0; index < reply.calls().size(); index++) {
            var call = reply.calls().get(index);
            int i = index;
            chunks.add(choice(model, delta -> delta.putArray("tool_calls").addObject().put("index", i)
                    .put("id", call.id()).put("type", "function")
                    .putObject("function").put("name", call.name()).put("arguments", ""), null));
            for (var piece : split(call.argumentsJson(), call.fragments())) {
                chunks.add(choice(model, delta -> delta.putArray("tool_calls").addObject().put("index", i)
                        .putObject("function").put("arguments", piece), null));
            }
        }
        chunks.add(choice(model, delta -> { }, reply.finishReason()));
        var usage = chunk(model);
        usage.putArray("choices");
        usage.putObject("usage").put("prompt_tokens", reply.inputTokens()).put("completion_tokens", reply.outputTokens())
                .put("total_tokens", reply.inputTokens() + reply.outputTokens());
        chunks.add(usage);

        sleep(timeToFirstToken);
        for (int n = 0; n < chunks.size(); n++) {
            if (drop && n == chunks.size() / 2) {
                exchange.drop();
                return;
            }
            if (n > 1) {
                sleep(perTokenDelay);
            }
            exchange.writeChunk("data: " + JSON.writeValueAsString(chunks.get(n)) + "\n\n");
        }
        exchange.writeChunk("data: [DONE]\n\n");
        exchange.endChunks();
    }

    private ObjectNode chunk(String model) {
        var chunk = JSON.createObjectNode();
        chunk.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1_700_000_000L).put("model", model);
        return chunk;
    }

    private ObjectNode choice(String model, java.util.function.Consumer<ObjectNode> delta, String finishReason) {
        var chunk = chunk(model);
        var choice = chunk.putArray("choices").addObject().put("index", 0);
        delta.accept(choice.putObject("delta"));
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return chunk;
    }

    /** Splits text into n nearly equal pieces (arguments arrive in fragments like the real API). */
    static List<String> split(String text, int n) {
        var pieces = new ArrayList<String>();
        int parts = Math.max(1, Math.min(n, text.length()));
        for (int i = 0; i < parts; i++) {
            pieces.add(text.substring(i * text.length() / parts, (i + 1) * text.length() / parts));
        }
        return pieces;
    }

    static void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
