package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A fake OpenAI Chat Completions server (protocols.md section 7): {@code POST /v1/chat/completions}
 * answered with the exact streaming SSE shape (role chunk, content deltas, tool-call fragments per
 * index, finish chunk, usage chunk, {@code [DONE]}). Script, latency, faults and records: see
 * {@link FakeLlmServer}.
 *
 * <p>Start one in a test:
 * <pre>{@code
 * try (var openAi = FakeOpenAi.start("sk-test")) {
 *     openAi.enqueue(FakeLlmServer.Reply.text("Hello ", "there."));
 *     openAi.enqueue(FakeLlmServer.Reply.toolCalls(new FakeLlmServer.Call("call_1", "menu_price", "{\"item\":\"pizza\"}")));
 *     openAi.timeToFirstToken(Duration.ofMillis(100)).perTokenDelay(Duration.ofMillis(5));
 *     var model = new OpenAiChatModel(openAi.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofSeconds(5));
 *     ...
 *     openAi.awaitRequest(1000).body();               // what the client sent, as JSON
 *     openAi.awaitRequest(1000).awaitClientClose(50); // proves a cancel reached the server
 * }
 * }</pre>
 */
public final class FakeOpenAi implements FakeLlmServer.Protocol {

    private FakeOpenAi() {
    }

    /** Starts a fake that accepts {@code Authorization: Bearer expectedKey} (any key when null). */
    public static FakeLlmServer start(String expectedKey) {
        return new FakeLlmServer(new FakeOpenAi(), expectedKey);
    }

    @Override
    public String path() {
        return "/v1/chat/completions";
    }

    @Override
    public URI baseUrl(URI root) {
        return URI.create(root + "/v1");
    }

    @Override
    public boolean authorised(FakeServerExchange exchange, String expectedKey) {
        return exchange.header("authorization").orElse("").equals("Bearer " + expectedKey);
    }

    @Override
    public Optional<FakeLlmServer.Refusal> refusal(JsonNode request) {
        return OpenAiRequestRules.check(request);
    }

    @Override
    public void stream(JsonNode request, FakeLlmServer.Reply reply, FakeLlmServer.EventWriter events) throws IOException {
        var model = request.path("model").asText();
        var format = request.path("response_format").path("json_schema");
        if (format.path("strict").asBoolean(false) && reply.finishReason().equals(FakeLlmServer.Reply.STRUCTURED)) {
            StructuredAnswers.requireFits(String.join("", reply.tokens()), format.path("schema"));
        }
        if (reply.finishReason().equals(FakeLlmServer.Reply.STRUCTURED)) {
            reply = new FakeLlmServer.Reply(reply.tokens(), List.of(), "stop", reply.inputTokens(), reply.outputTokens());
        }
        events.send(null, choice(model, delta -> delta.put("role", "assistant").put("content", ""), null));
        for (var token : reply.tokens()) {
            events.send(null, choice(model, delta -> delta.put("content", token), null));
        }
        if (reply.finishReason().equals(FakeLlmServer.Reply.ERROR)) {
            events.send(null, "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}");
            return;
        }
        for (int index = 0; index < reply.calls().size(); index++) {
            var call = reply.calls().get(index);
            int i = index;
            events.send(null, choice(model, delta -> delta.putArray("tool_calls").addObject().put("index", i)
                    .put("id", call.id()).put("type", "function")
                    .putObject("function").put("name", call.name()).put("arguments", ""), null));
            for (var piece : FakeLlmServer.split(call.argumentsJson(), call.fragments())) {
                events.send(null, choice(model, delta -> delta.putArray("tool_calls").addObject().put("index", i)
                        .putObject("function").put("arguments", piece), null));
            }
        }
        events.send(null, choice(model, delta -> { }, reply.finishReason()));
        var usage = chunk(model);
        usage.putArray("choices");
        usage.putObject("usage").put("prompt_tokens", reply.inputTokens()).put("completion_tokens", reply.outputTokens())
                .put("total_tokens", reply.inputTokens() + reply.outputTokens());
        events.send(null, usage.toString());
        events.send(null, "[DONE]");
    }

    private static ObjectNode chunk(String model) {
        var chunk = FakeLlmServer.JSON.createObjectNode();
        chunk.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1_700_000_000L).put("model", model);
        return chunk;
    }

    private static String choice(String model, Consumer<ObjectNode> delta, String finishReason) {
        var chunk = chunk(model);
        var choice = chunk.putArray("choices").addObject().put("index", 0);
        delta.accept(choice.putObject("delta"));
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return chunk.toString();
    }
}
