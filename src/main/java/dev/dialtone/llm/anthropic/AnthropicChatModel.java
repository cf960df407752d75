package dev.dialtone.llm.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;

import dev.dialtone.net.Json;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatHistory;
import dev.dialtone.llm.ChatJson;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;
import dev.dialtone.net.EventGate;
import dev.dialtone.net.Origin;
import dev.dialtone.net.ProviderConnections;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderException;
import dev.dialtone.net.ProviderPost;
import dev.dialtone.net.SseExchange;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.llm.ToolSpec;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Anthropic Messages, streaming with tools (protocols.md section 8). Hand-written over
 * {@link SseExchange} for the same reason as the OpenAI client (cancel before the first token).
 */
public final class AnthropicChatModel implements ChatModel {
    static final String PROVIDER = "anthropic";
    private static final String VERSION = "2023-06-01";
    private static final int DEFAULT_MAX_TOKENS = 1024;

    private final URI endpoint;
    private final String apiKey;
    private final Duration idleTimeout;
    private final ProviderConnections connections;

    /**
     * @param baseUrl e.g. https://api.anthropic.com (ANTHROPIC_BASE_URL)
     * @param apiKey  sent as {@code x-api-key} only
     */
    public AnthropicChatModel(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout) {
        var base = baseUrl.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/messages");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.idleTimeout = idleTimeout;
        this.connections = new ProviderConnections(Origin.of(endpoint), connectTimeout);
    }

    @Override
    public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
        var gate = new EventGate<ChatEvent>(listener, ChatEvent::isTerminal);
        var headers = Map.of("x-api-key", apiKey, "anthropic-version", VERSION,
                "content-type", "application/json", "accept", "text/event-stream");
        var post = new ProviderPost.Request(endpoint, headers, Json.write(body(request)));
        var exchange = SseExchange.start(connections, post, PROVIDER, idleTimeout, new Decoder(gate));
        return () -> {
            gate.silence(); // nothing reaches the listener after a cancel, not even a terminal event
            exchange.cancel();
        };
    }

    @Override
    public String toString() {
        return "AnthropicChatModel[" + endpoint + "]";
    }

    static ObjectNode body(ChatRequest request) {
        var body = Json.MAPPER.createObjectNode();
        body.put("model", request.model());
        body.put("max_tokens", request.maxTokens().orElse(DEFAULT_MAX_TOKENS));
        if (!request.systemPrompt().isBlank()) {
            body.put("system", request.systemPrompt());
        }
        request.temperature().ifPresent(t -> body.put("temperature", t));
        var messages = body.putArray("messages");
        for (var message : ChatHistory.valid(request.history())) {
            switch (message) {
                case ChatMessage.User user -> content(messages, "user").addObject().put("type", "text").put("text", user.text());
                case ChatMessage.Assistant assistant -> addAssistant(messages, assistant);
                case ChatMessage.ToolResult result -> content(messages, "user").addObject()
                        .put("type", "tool_result").put("tool_use_id", result.callId())
                        .put("content", result.contentJson()).put("is_error", result.isError());
            }
        }
        var all = new ArrayList<>(request.tools());
        request.output().ifPresent(all::add);
        if (!all.isEmpty()) {
            var tools = body.putArray("tools");
            for (ToolSpec tool : all) {
                tools.addObject().put("name", tool.name()).put("description", tool.description())
                        .set("input_schema", ChatJson.schema(tool));
            }
            // structured output: the one tool the answer must be (Anthropic's documented way to get JSON)
            request.output().ifPresent(out -> body.putObject("tool_choice").put("type", "tool").put("name", out.name()));
        }
        body.put("stream", true);
        return body;
    }

    /**
     * The content array of the last message if it has this role, else of a new one: Anthropic wants
     * roles to alternate, so tool results and the caller's next words share one user message. A
     * history that opens with the agent's greeting gets a user turn before it, since the API
     * expects the conversation to start with the user.
     */
    private static ArrayNode content(ArrayNode messages, String role) {
        if (messages.isEmpty() && role.equals("assistant")) {
            content(messages, "user").addObject().put("type", "text").put("text", "(the call is connected)");
        }
        var last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.path("role").asText().equals(role)) {
            return (ArrayNode) last.get("content");
        }
        var message = messages.addObject().put("role", role);
        return message.putArray("content");
    }

    private static void addAssistant(ArrayNode messages, ChatMessage.Assistant assistant) {
        var content = content(messages, "assistant");
        if (!assistant.text().isEmpty()) {
            content.addObject().put("type", "text").put("text", assistant.text());
        }
        for (ToolCall call : assistant.toolCalls()) {
            JsonNode input;
            try {
                input = Json.MAPPER.readTree(call.argumentsJson());
            } catch (JsonProcessingException e) {
                input = Json.MAPPER.createObjectNode();
            }
            content.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name()).set("input", input);
        }
    }

    /** Turns stream events into chat events; each tool_use block is released at its block stop. Reader thread only. */
    private static final class Decoder implements SseExchange.Handler {
        private final EventGate<ChatEvent> gate;
        private final Map<Integer, PendingCall> calls = new HashMap<>();
        private int inputTokens;
        private int outputTokens;
        private String stopReason = "end_turn";
        private boolean done;

        Decoder(EventGate<ChatEvent> gate) {
            this.gate = gate;
        }

        @Override
        public void onEvent(String event, String data) throws ProviderException {
            var message = Json.parse(PROVIDER, data);
            switch (message.path("type").asText(event)) {
                case "message_start" -> {
                    var usage = message.path("message").path("usage");
                    inputTokens = usage.path("input_tokens").asInt();
                    outputTokens = usage.path("output_tokens").asInt();
                }
                case "content_block_start" -> {
                    var block = message.path("content_block");
                    if (block.path("type").asText().equals("tool_use")) {
                        calls.put(message.path("index").asInt(), new PendingCall(block.path("id").asText(), block.path("name").asText()));
                    }
                }
                case "content_block_delta" -> delta(message);
                case "content_block_stop" -> {
                    var call = calls.remove(message.path("index").asInt());
                    if (call != null) {
                        var arguments = ChatJson.toolArguments(PROVIDER, call.name, call.json.toString());
                        gate.emit(new ChatEvent.ToolCallReady(new ToolCall(call.id, call.name, arguments)));
                    }
                }
                case "message_delta" -> {
                    if (message.path("delta").hasNonNull("stop_reason")) {
                        stopReason = message.path("delta").path("stop_reason").asText();
                    }
                    outputTokens = message.path("usage").path("output_tokens").asInt(outputTokens);
                }
                case "message_stop" -> {
                    done = true;
                    gate.emit(new ChatEvent.Done(finishReason(stopReason), new ChatEvent.Usage(inputTokens, outputTokens)));
                }
                case "error" -> throw new ProviderException(streamError(message.path("error")));
                default -> {
                    // ping and future event types
                }
            }
        }

        private void delta(JsonNode message) {
            var delta = message.path("delta");
            switch (delta.path("type").asText()) {
                case "text_delta" -> {
                    var text = delta.path("text").asText();
                    if (!text.isEmpty()) {
                        gate.emit(new ChatEvent.TextDelta(text));
                    }
                }
                case "input_json_delta" -> {
                    var call = calls.get(message.path("index").asInt());
                    if (call != null) {
                        call.json.append(delta.path("partial_json").asText());
                    }
                }
                default -> {
                    // thinking and signature deltas are not spoken
                }
            }
        }

        @Override
        public void onFailure(ProviderError error) {
            gate.emit(new ChatEvent.Failed(error));
        }

        @Override
        public void onEnd() throws ProviderException {
            if (!done) {
                throw new ProviderException(new ProviderError(ProviderError.Kind.NETWORK, PROVIDER,
                        "stream ended before message_stop", true));
            }
        }

        private static String finishReason(String stopReason) {
            return switch (stopReason) {
                case "end_turn", "stop_sequence", "pause_turn" -> "stop";
                case "tool_use" -> "tool_calls";
                case "max_tokens" -> "length";
                case "refusal" -> "content_filter";
                default -> stopReason;
            };
        }

        private static ProviderError streamError(JsonNode error) {
            var type = error.path("type").asText();
            var text = type + ": " + ProviderError.abbreviate(error.path("message").asText());
            return switch (type) {
                case "authentication_error", "permission_error" -> new ProviderError(ProviderError.Kind.AUTH, PROVIDER, text, false);
                case "rate_limit_error" -> new ProviderError(ProviderError.Kind.RATE_LIMIT, PROVIDER, text, true);
                case "invalid_request_error", "not_found_error", "request_too_large" ->
                        new ProviderError(ProviderError.Kind.PROTOCOL, PROVIDER, text, false);
                default -> new ProviderError(ProviderError.Kind.SERVER, PROVIDER, text, true);
            };
        }
    }

    /** A tool_use block being streamed. Reader thread only. */
    private static final class PendingCall {
        final String id;
        final String name;
        final StringBuilder json = new StringBuilder();

        PendingCall(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }
}
