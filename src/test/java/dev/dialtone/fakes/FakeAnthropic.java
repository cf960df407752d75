package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A fake Anthropic Messages server (protocols.md section 8): {@code POST /v1/messages} answered with
 * the streaming event sequence message_start, content_block_start/delta/stop per block (text, then
 * each tool_use with input_json_delta fragments), a ping, message_delta with the stop reason and
 * cumulative usage, message_stop. Script, latency, faults and records: see {@link FakeLlmServer};
 * {@link FakeLlmServer.Reply#failingAfter} sends an overloaded_error event after the HTTP 200.
 *
 * <p>Start one in a test:
 * <pre>{@code
 * try (var claude = FakeAnthropic.start("ak-test")) {
 *     claude.enqueue(FakeLlmServer.Reply.text("Hello ", "there."));
 *     var model = new AnthropicChatModel(claude.baseUrl(), "ak-test", Duration.ofSeconds(2), Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class FakeAnthropic implements FakeLlmServer.Protocol {

    private FakeAnthropic() {
    }

    /** Starts a fake that accepts {@code x-api-key: expectedKey} (any key when null). */
    public static FakeLlmServer start(String expectedKey) {
        return new FakeLlmServer(new FakeAnthropic(), expectedKey);
    }

    @Override
    public String path() {
        return "/v1/messages";
    }

    @Override
    public URI baseUrl(URI root) {
        return root;
    }

    @Override
    public boolean authorised(FakeServerExchange exchange, String expectedKey) {
        return exchange.header("x-api-key").orElse("").equals(expectedKey)
                && exchange.header("anthropic-version").isPresent();
    }

    @Override
    public Optional<FakeLlmServer.Refusal> refusal(JsonNode request) {
        return AnthropicRequestRules.check(request);
    }

    @Override
    public void stream(JsonNode request, FakeLlmServer.Reply reply, FakeLlmServer.EventWriter events) throws IOException {
        var forced = request.path("tool_choice").path("type").asText("").equals("tool")
                ? Optional.of(request.path("tool_choice").path("name").asText()) : Optional.<String>empty();
        if (reply.finishReason().equals(FakeLlmServer.Reply.STRUCTURED)) {
            var tool = forced.orElseThrow(() -> new IllegalStateException(
                    "a structured answer needs a request that forces a tool with tool_choice"));
            var json = String.join("", reply.tokens());
            StructuredAnswers.requireFits(json, StructuredAnswers.inputSchema(request, tool));
            reply = new FakeLlmServer.Reply(List.of(), List.of(new FakeLlmServer.Call("toolu_fake_structured", tool, json)),
                                            "tool_calls", reply.inputTokens(), reply.outputTokens());
        } else if (forced.isPresent() && (!reply.tokens().isEmpty() || reply.calls().stream()
                .anyMatch(c -> !c.name().equals(forced.get())))) {
            throw new IllegalStateException("with tool_choice forcing " + forced.get() + " the API answers with that tool only");
        }
        var start = object(m -> m.put("type", "message_start"));
        var message = start.putObject("message").put("id", "msg_fake").put("type", "message").put("role", "assistant")
                .put("model", request.path("model").asText());
        message.putArray("content");
        message.putNull("stop_reason");
        message.putObject("usage").put("input_tokens", reply.inputTokens()).put("output_tokens", 1);
        events.send("message_start", start.toString());
        int index = 0;
        if (!reply.tokens().isEmpty()) {
            int block = index++;
            events.send("content_block_start", object(m -> m.put("type", "content_block_start").put("index", block)
                    .putObject("content_block").put("type", "text").put("text", "")).toString());
            events.send("ping", "{\"type\": \"ping\"}");
            for (var token : reply.tokens()) {
                events.send("content_block_delta", object(m -> m.put("type", "content_block_delta").put("index", block)
                        .putObject("delta").put("type", "text_delta").put("text", token)).toString());
            }
            if (reply.finishReason().equals(FakeLlmServer.Reply.ERROR)) {
                events.send("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
                return;
            }
            events.send("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + block + "}");
        }
        for (var call : reply.calls()) {
            int block = index++;
            var blockStart = object(m -> m.put("type", "content_block_start").put("index", block));
            blockStart.putObject("content_block").put("type", "tool_use").put("id", call.id()).put("name", call.name())
                    .putObject("input");
            events.send("content_block_start", blockStart.toString());
            for (var piece : FakeLlmServer.split(call.argumentsJson(), call.fragments())) {
                events.send("content_block_delta", object(m -> m.put("type", "content_block_delta").put("index", block)
                        .putObject("delta").put("type", "input_json_delta").put("partial_json", piece)).toString());
            }
            events.send("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + block + "}");
        }
        var stopReason = switch (reply.finishReason()) {
            case "tool_calls" -> "tool_use";
            case "length" -> "max_tokens";
            default -> "end_turn";
        };
        var delta = object(m -> m.put("type", "message_delta"));
        delta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        delta.putObject("usage").put("output_tokens", reply.outputTokens());
        events.send("message_delta", delta.toString());
        events.send("message_stop", "{\"type\":\"message_stop\"}");
    }

    private static ObjectNode object(Consumer<ObjectNode> fill) {
        var node = FakeLlmServer.JSON.createObjectNode();
        fill.accept(node);
        return node;
    }
}
