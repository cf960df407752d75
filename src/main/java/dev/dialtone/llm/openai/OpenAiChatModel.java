package dev.dialtone.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * OpenAI Chat Completions, streaming with tools (protocols.md section 7): OpenAI itself and every
 * server that copies its API (Groq, Ollama, vLLM, LM Studio, llama.cpp) through the base URL.
 *
 * <p>Hand-written over {@link SseExchange}; see there for why not langchain4j.
 */
public final class OpenAiChatModel implements ChatModel {
    static final String PROVIDER = "openai";

    /**
     * The body field that carries the output token limit. OpenAI deprecated {@code max_tokens} for
     * {@code max_completion_tokens}, and its reasoning models (o1, o3, o4-mini, gpt-5) refuse the
     * old one; the servers that copy its API (Ollama, vLLM, llama.cpp, Groq...) read only
     * {@code max_tokens}.
     */
    public enum TokenLimit {
        MAX_TOKENS("max_tokens"),
        MAX_COMPLETION_TOKENS("max_completion_tokens");

        final String field;

        TokenLimit(String field) {
            this.field = field;
        }

        /** The new field for OpenAI's own API (and Azure OpenAI's), the old one for every other server. */
        public static TokenLimit forEndpoint(URI baseUrl) {
            var host = baseUrl.getHost() == null ? "" : baseUrl.getHost().toLowerCase(Locale.ROOT);
            boolean openAi = host.equals("api.openai.com") || host.endsWith(".openai.azure.com");
            return openAi ? MAX_COMPLETION_TOKENS : MAX_TOKENS;
        }
    }

    private final URI endpoint;
    private final TokenLimit tokenLimit;
    private final String apiKey;
    private final Duration idleTimeout;
    private final ProviderConnections connections;

    /**
     * @param baseUrl        e.g. https://api.openai.com/v1 (the path before /chat/completions)
     * @param apiKey         sent as a Bearer token; may be empty for local servers
     * @param connectTimeout TCP+TLS connect limit
     * @param idleTimeout    longest wait for the headers and between stream events
     */
    public OpenAiChatModel(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout) {
        this(baseUrl, apiKey, connectTimeout, idleTimeout, TokenLimit.forEndpoint(baseUrl));
    }

    /** As above, with the token limit field chosen by the caller rather than by the host. */
    public OpenAiChatModel(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout,
                           TokenLimit tokenLimit) {
        this.tokenLimit = Objects.requireNonNull(tokenLimit, "tokenLimit");
        var base = baseUrl.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
        this.apiKey = Objects.requireNonNullElse(apiKey, "");
        this.idleTimeout = idleTimeout;
        this.connections = new ProviderConnections(Origin.of(endpoint), connectTimeout);
    }

    @Override
    public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
        var gate = new EventGate<ChatEvent>(listener, ChatEvent::isTerminal);
        var headers = new LinkedHashMap<String, String>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "text/event-stream");
        if (!apiKey.isEmpty()) {
            headers.put("Authorization", "Bearer " + apiKey);
        }
        var post = new ProviderPost.Request(endpoint, headers, Json.write(body(request, tokenLimit)));
        var exchange = SseExchange.start(connections, post, PROVIDER, idleTimeout, new Decoder(gate));
        return () -> {
            gate.silence(); // nothing reaches the listener after a cancel, not even a terminal event
            exchange.cancel();
        };
    }

    @Override
    public String toString() {
        return "OpenAiChatModel[" + endpoint + "]";
    }

    static ObjectNode body(ChatRequest request, TokenLimit tokenLimit) {
        var body = Json.MAPPER.createObjectNode();
        body.put("model", request.model());
        var messages = body.putArray("messages");
        if (!request.systemPrompt().isBlank()) {
            messages.addObject().put("role", "system").put("content", request.systemPrompt());
        }
        for (var message : ChatHistory.valid(request.history())) {
            switch (message) {
                case ChatMessage.User user -> messages.addObject().put("role", "user").put("content", user.text());
                case ChatMessage.Assistant assistant -> addAssistant(messages, assistant);
                case ChatMessage.ToolResult result -> messages.addObject()
                        .put("role", "tool")
                        .put("tool_call_id", result.callId())
                        .put("content", result.isError() ? "ERROR: " + result.contentJson() : result.contentJson());
            }
        }
        if (!request.tools().isEmpty()) {
            var tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                var function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name()).put("description", tool.description());
                function.set("parameters", ChatJson.schema(tool));
            }
            body.put("tool_choice", "auto");
        }
        request.output().ifPresent(out -> {
            var format = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            var schema = ChatJson.schema(out);
            format.put("name", out.name()).put("description", out.description()).set("schema", schema);
            format.put("strict", ChatJson.strictFits(schema));
        });
        request.temperature().ifPresent(t -> body.put("temperature", t));
        request.maxTokens().ifPresent(n -> body.put(tokenLimit.field, n));
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }

    private static void addAssistant(ArrayNode messages, ChatMessage.Assistant assistant) {
        var node = messages.addObject().put("role", "assistant");
        if (assistant.text().isEmpty() && !assistant.toolCalls().isEmpty()) {
            node.putNull("content");
        } else {
            node.put("content", assistant.text());
        }
        if (!assistant.toolCalls().isEmpty()) {
            var calls = node.putArray("tool_calls");
            for (ToolCall call : assistant.toolCalls()) {
                calls.addObject().put("id", call.id()).put("type", "function")
                        .putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
            }
        }
    }

    /**
     * Turns chunks into events. Tool-call fragments are gathered per index and released together
     * when the choice finishes, because the spec does not promise that one index is complete before
     * the next begins. Reader thread only.
     */
    private static final class Decoder implements SseExchange.Handler {
        private final EventGate<ChatEvent> gate;
        private final TreeMap<Integer, PendingCall> calls = new TreeMap<>();
        private String finishReason;
        private ChatEvent.Usage usage = ChatEvent.Usage.NONE;
        private boolean done;

        Decoder(EventGate<ChatEvent> gate) {
            this.gate = gate;
        }

        @Override
        public void onEvent(String event, String data) throws ProviderException {
            if (done) {
                return;
            }
            if (data.strip().equals("[DONE]")) {
                finish();
                return;
            }
            var chunk = Json.parse(PROVIDER, data);
            if (chunk.hasNonNull("error")) {
                var error = chunk.get("error");
                throw new ProviderException(new ProviderError(ProviderError.Kind.SERVER, PROVIDER,
                        "error in stream: " + ProviderError.abbreviate(error.path("message").asText(error.toString())), true));
            }
            var usageNode = chunk.get("usage");
            if (usageNode != null && usageNode.isObject()) {
                usage = new ChatEvent.Usage(usageNode.path("prompt_tokens").asInt(), usageNode.path("completion_tokens").asInt());
            }
            var choice = chunk.path("choices").path(0);
            if (choice.isMissingNode()) {
                return;
            }
            var delta = choice.path("delta");
            var content = delta.path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                gate.emit(new ChatEvent.TextDelta(content.asText()));
            }
            for (JsonNode fragment : delta.path("tool_calls")) {
                var call = calls.computeIfAbsent(fragment.path("index").asInt(calls.size()), i -> new PendingCall());
                if (fragment.hasNonNull("id")) {
                    call.id = fragment.get("id").asText();
                }
                var function = fragment.path("function");
                if (function.hasNonNull("name")) {
                    call.name = function.get("name").asText();
                }
                if (function.hasNonNull("arguments")) {
                    call.arguments.append(function.get("arguments").asText());
                }
            }
            if (choice.hasNonNull("finish_reason")) {
                finishReason = choice.get("finish_reason").asText();
                releaseCalls();
            }
        }

        private void releaseCalls() throws ProviderException {
            for (var entry : calls.entrySet()) {
                var call = entry.getValue();
                if (call.id == null || call.name == null) {
                    throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, PROVIDER,
                            "tool call at index " + entry.getKey() + " has no id or name", true));
                }
                var arguments = ChatJson.toolArguments(PROVIDER, call.name, call.arguments.toString());
                gate.emit(new ChatEvent.ToolCallReady(new ToolCall(call.id, call.name, arguments)));
            }
            calls.clear();
        }

        private void finish() {
            done = true;
            gate.emit(new ChatEvent.Done(finishReason == null ? "stop" : finishReason, usage));
        }

        @Override
        public void onFailure(ProviderError error) {
            gate.emit(new ChatEvent.Failed(error));
        }

        @Override
        public void onEnd() throws ProviderException {
            if (done) {
                return;
            }
            if (finishReason != null) {
                // Some compatible servers end the body without [DONE]; a finished choice is enough.
                finish();
                return;
            }
            throw new ProviderException(new ProviderError(ProviderError.Kind.NETWORK, PROVIDER,
                    "stream ended before the reply finished", true));
        }
    }

    /** Fragments of one tool call. Reader thread only. */
    private static final class PendingCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
