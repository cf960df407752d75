package dev.dialtone.llm.openai;

import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.fakes.FakeServerFault;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.net.EventRecorder;
import dev.dialtone.net.ProviderError;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.llm.ToolSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class OpenAiChatModelTest {
    private static final ToolSpec MENU = new ToolSpec("menu_price", "Price of a menu item",
            "{\"type\":\"object\",\"properties\":{\"item\":{\"type\":\"string\",\"minLength\":1}},\"required\":[\"item\"]}");

    private final FakeLlmServer fake = FakeOpenAi.start("sk-test");
    private final OpenAiChatModel model = new OpenAiChatModel(fake.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofSeconds(3));
    private final EventRecorder<ChatEvent> events = new EventRecorder<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    private static ChatRequest request(List<ChatMessage> history) {
        return new ChatRequest("gpt-4o-mini", Optional.of(0.3), Optional.of(200), "You are a pizza host.", history, List.of(MENU));
    }

    @Test
    void streamsTextThenDoneWithUsageAndSendsTheDocumentedRequest() throws Exception {
        fake.enqueue(FakeLlmServer.Reply.text("Hello", " there", "!"));
        model.stream(request(List.of(new ChatMessage.User("hi"))), events);

        assertThat(events.until(ChatEvent.Done.class, 2000)).containsExactly(
                new ChatEvent.TextDelta("Hello"), new ChatEvent.TextDelta(" there"), new ChatEvent.TextDelta("!"),
                new ChatEvent.Done("stop", new ChatEvent.Usage(42, 3)));
        events.assertQuiet(50);

        var received = fake.awaitRequest(1000);
        assertThat(received.header("authorization")).isEqualTo("Bearer sk-test");
        var body = received.body();
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(200);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("hi");
        var function = body.path("tools").get(0).path("function");
        assertThat(function.path("name").asText()).isEqualTo("menu_price");
        // The schema goes through unchanged, keywords langchain4j's schema model would drop included.
        assertThat(function.path("parameters").path("properties").path("item").path("minLength").asInt()).isEqualTo(1);
    }

    @Test
    void openAisOwnApiGetsMaxCompletionTokensAndEveryOtherServerMaxTokens() {
        assertThat(OpenAiChatModel.TokenLimit.forEndpoint(URI.create("https://api.openai.com/v1")))
                .isEqualTo(OpenAiChatModel.TokenLimit.MAX_COMPLETION_TOKENS);
        assertThat(OpenAiChatModel.TokenLimit.forEndpoint(URI.create("https://acme.openai.azure.com/openai/v1")))
                .isEqualTo(OpenAiChatModel.TokenLimit.MAX_COMPLETION_TOKENS);
        assertThat(OpenAiChatModel.TokenLimit.forEndpoint(URI.create("http://localhost:11434/v1")))
                .isEqualTo(OpenAiChatModel.TokenLimit.MAX_TOKENS);
        assertThat(OpenAiChatModel.TokenLimit.forEndpoint(URI.create("https://api.groq.com/openai/v1")))
                .isEqualTo(OpenAiChatModel.TokenLimit.MAX_TOKENS);
    }

    @Test
    void aReasoningModelIsServedWithMaxCompletionTokensAndRefusedWithMaxTokens() throws Exception {
        var reasoning = new ChatRequest("o4-mini", Optional.empty(), Optional.of(200), "Be brief.",
                                        List.of(new ChatMessage.User("hi")), List.of());
        new OpenAiChatModel(fake.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofSeconds(3),
                            OpenAiChatModel.TokenLimit.MAX_COMPLETION_TOKENS).stream(reasoning, events);
        assertThat(events.until(ChatEvent.Done.class, 2000)).isNotEmpty();
        assertThat(fake.awaitRequest(1000).body().path("max_completion_tokens").asInt()).isEqualTo(200);

        var refused = new EventRecorder<ChatEvent>();
        new OpenAiChatModel(fake.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofSeconds(3),
                            OpenAiChatModel.TokenLimit.MAX_TOKENS).stream(reasoning, refused);
        var failed = (ChatEvent.Failed) refused.until(ChatEvent.Failed.class, 2000).getLast();
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
        assertThat(failed.error().message()).contains("max_completion_tokens");
        assertThat(failed.error().retryable()).isFalse();
    }

    @Test
    void reassemblesFragmentedArgumentsOfParallelToolCallsIntoSeparateEvents() throws Exception {
        fake.enqueue(FakeLlmServer.Reply.toolCalls(
                new FakeLlmServer.Call("call_a", "menu_price", "{\"item\":\"margherita pizza\"}", 5),
                new FakeLlmServer.Call("call_b", "menu_price", "{\"item\":\"garlic bread\"}", 4)));
        model.stream(request(List.of(new ChatMessage.User("two prices please"))), events);

        assertThat(events.until(ChatEvent.Done.class, 2000)).containsExactly(
                new ChatEvent.ToolCallReady(new ToolCall("call_a", "menu_price", "{\"item\":\"margherita pizza\"}")),
                new ChatEvent.ToolCallReady(new ToolCall("call_b", "menu_price", "{\"item\":\"garlic bread\"}")),
                new ChatEvent.Done("tool_calls", new ChatEvent.Usage(42, 14)));
        assertThat(events.overlappingCalls()).isZero();
    }

    @Test
    void sendsToolCallsAndResultsBackInTheContinuationShape() throws Exception {
        var call = new ToolCall("call_a", "menu_price", "{\"item\":\"pizza\"}");
        model.stream(request(List.of(new ChatMessage.User("price?"),
                new ChatMessage.Assistant("", List.of(call)),
                new ChatMessage.ToolResult("call_a", "menu_price", "{\"price\":12.5}", false))), events);
        events.next(ChatEvent.Done.class, 2000);

        var messages = fake.awaitRequest(1000).body().path("messages");
        var assistant = messages.get(2);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content").isNull()).isTrue();
        assertThat(assistant.path("tool_calls").get(0).path("function").path("arguments").asText()).isEqualTo("{\"item\":\"pizza\"}");
        assertThat(messages.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).path("tool_call_id").asText()).isEqualTo("call_a");
        assertThat(messages.get(3).path("content").asText()).isEqualTo("{\"price\":12.5}");
    }

    @Test
    void cancelMidStreamClosesTheConnectionAndSilencesTheListener() throws Exception {
        var tokens = new String[40]; // 40 tokens 500 ms apart: the fake would hold the connection for 20 s
        Arrays.fill(tokens, " more");
        tokens[0] = "one";
        fake.enqueue(FakeLlmServer.Reply.text(tokens)).perTokenDelay(Duration.ofMillis(500));
        var stream = model.stream(request(List.of(new ChatMessage.User("count"))), events);
        assertThat(events.next(5000)).isEqualTo(new ChatEvent.TextDelta("one"));
        var received = fake.awaitRequest(1000);

        stream.cancel();
        assertThat(received.awaitClientClose(10_000)).as("the client closed the connection, not the fake's 20 s").isTrue();
        events.assertQuiet(400);
    }

    @Test
    void cancelBeforeTheFirstTokenClosesTheConnection() throws Exception {
        fake.timeToFirstToken(Duration.ofSeconds(20));
        var stream = model.stream(request(List.of(new ChatMessage.User("hi"))), events);
        var received = fake.awaitRequest(1000);
        Thread.sleep(50); // let the headers reach the client: the cancel lands in the time-to-first-token gap

        stream.cancel();
        assertThat(received.awaitClientClose(10_000)).as("the client closed the connection, not the fake's 20 s").isTrue();
        events.assertQuiet(100);
    }

    @Test
    void cancelBeforeTheHeadersClosesTheConnection() throws Exception {
        fake.headerDelay(Duration.ofSeconds(20));
        var stream = model.stream(request(List.of(new ChatMessage.User("hi"))), events);
        var received = fake.awaitRequest(1000);

        stream.cancel();
        assertThat(received.awaitClientClose(10_000)).as("the client closed the connection, not the fake's 20 s").isTrue();
        events.assertQuiet(100);
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH,false", "RATE_LIMITED,RATE_LIMIT,true", "SERVER_ERROR,SERVER,true",
            "REFUSE,NETWORK,true", "GARBAGE,PROTOCOL,false", "DROP_MID_STREAM,NETWORK,true"})
    void mapsEachFaultToItsTypedError(FakeServerFault fault, ProviderError.Kind kind, boolean retryable) throws Exception {
        fake.failNext(fault).enqueue(FakeLlmServer.Reply.text("a", "b", "c", "d", "e", "f"));
        model.stream(request(List.of(new ChatMessage.User("hi"))), events);

        var failed = events.next(ChatEvent.Failed.class, 3000);
        assertThat(failed.error().kind()).isEqualTo(kind);
        assertThat(failed.error().retryable()).isEqualTo(retryable);
        assertThat(failed.error().provider()).isEqualTo("openai");
        assertThat(failed.error().message()).doesNotContain("sk-test");
        events.assertQuiet(50);
    }

    @Test
    void anErrorChunkInsideTheStreamIsAServerError() throws Exception {
        fake.enqueue(FakeLlmServer.Reply.failingAfter("Sure"));
        model.stream(request(List.of(new ChatMessage.User("hi"))), events);

        assertThat(events.next(1000)).isEqualTo(new ChatEvent.TextDelta("Sure"));
        var failed = events.next(ChatEvent.Failed.class, 2000);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.SERVER);
        assertThat(failed.error().message()).contains("server had an error");
        events.assertQuiet(50);
    }

    @Test
    void aWrongKeyIsAnAuthErrorThatNeverShowsTheKey() throws Exception {
        var wrong = new OpenAiChatModel(fake.baseUrl(), "sk-wrong-secret", Duration.ofSeconds(2), Duration.ofSeconds(3));
        wrong.stream(request(List.of(new ChatMessage.User("hi"))), events);

        var failed = events.next(ChatEvent.Failed.class, 2000);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.AUTH);
        assertThat(failed.error().toString()).doesNotContain("sk-wrong-secret");
        assertThat(wrong.toString()).doesNotContain("sk-wrong-secret");
    }

    @Test
    void aSilentServerIsATimeout() throws Exception {
        var impatient = new OpenAiChatModel(fake.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofMillis(200));
        fake.timeToFirstToken(Duration.ofMillis(1500));
        impatient.stream(request(List.of(new ChatMessage.User("hi"))), events);

        assertThat(events.next(ChatEvent.Failed.class, 2000).error().kind()).isEqualTo(ProviderError.Kind.TIMEOUT);
    }

    @Test
    void aClosedPortIsANetworkError() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var nowhere = new OpenAiChatModel(URI.create("http://127.0.0.1:" + port + "/v1"), "k", Duration.ofSeconds(1), Duration.ofSeconds(1));
        nowhere.stream(request(List.of(new ChatMessage.User("hi"))), events);

        assertThat(events.next(ChatEvent.Failed.class, 2000).error().kind()).isEqualTo(ProviderError.Kind.NETWORK);
    }
}
