package dev.dialtone.llm.anthropic;

import dev.dialtone.fakes.FakeAnthropic;
import dev.dialtone.fakes.FakeLlmServer;
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

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AnthropicChatModelTest {
    private static final ToolSpec MENU = new ToolSpec("menu_price", "Price of a menu item",
            "{\"type\":\"object\",\"properties\":{\"item\":{\"type\":\"string\"}},\"required\":[\"item\"]}");

    private final FakeLlmServer fake = FakeAnthropic.start("ak-test");
    private final AnthropicChatModel model = new AnthropicChatModel(fake.baseUrl(), "ak-test", Duration.ofSeconds(2), Duration.ofSeconds(3));
    private final EventRecorder<ChatEvent> events = new EventRecorder<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    private static ChatRequest request(List<ChatMessage> history) {
        return new ChatRequest("claude-haiku-4-5", Optional.of(0.2), Optional.empty(), "You are a pizza host.", history, List.of(MENU));
    }

    @Test
    void streamsTextThenDoneWithUsageAndSendsTheDocumentedRequest() throws Exception {
        fake.enqueue(FakeLlmServer.Reply.text("Hello", " there"));
        model.stream(request(List.of(new ChatMessage.User("hi"))), events);

        assertThat(events.until(ChatEvent.Done.class, 2000)).containsExactly(
                new ChatEvent.TextDelta("Hello"), new ChatEvent.TextDelta(" there"),
                new ChatEvent.Done("stop", new ChatEvent.Usage(42, 2)));
        var received = fake.awaitRequest(1000);
        assertThat(received.header("x-api-key")).isEqualTo("ak-test");
        assertThat(received.header("anthropic-version")).isEqualTo("2023-06-01");
        var body = received.body();
        assertThat(body.path("system").asText()).isEqualTo("You are a pizza host.");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(1024);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("tools").get(0).path("input_schema").path("required").get(0).asText()).isEqualTo("item");
        assertThat(body.path("messages").get(0).path("content").get(0).path("text").asText()).isEqualTo("hi");
    }

    @Test
    void parallelToolUseBlocksComeOutAsSeparateCompleteCalls() throws Exception {
        fake.enqueue(FakeLlmServer.Reply.toolCalls(
                new FakeLlmServer.Call("toolu_1", "menu_price", "{\"item\":\"calzone\"}", 4),
                new FakeLlmServer.Call("toolu_2", "menu_price", "{\"item\":\"tiramisu\"}", 3)));
        model.stream(request(List.of(new ChatMessage.User("two prices"))), events);

        assertThat(events.until(ChatEvent.Done.class, 2000)).containsExactly(
                new ChatEvent.ToolCallReady(new ToolCall("toolu_1", "menu_price", "{\"item\":\"calzone\"}")),
                new ChatEvent.ToolCallReady(new ToolCall("toolu_2", "menu_price", "{\"item\":\"tiramisu\"}")),
                new ChatEvent.Done("tool_calls", new ChatEvent.Usage(42, 14)));
    }

    @Test
    void toolResultsAndTheNextUserTurnShareOneUserMessageAndAGreetingGetsAUserTurnBeforeIt() throws Exception {
        var call = new ToolCall("toolu_1", "menu_price", "{\"item\":\"pizza\"}");
        model.stream(request(List.of(new ChatMessage.Assistant("Thanks for calling!"), new ChatMessage.User("price?"),
                new ChatMessage.Assistant("", List.of(call)),
                new ChatMessage.ToolResult("toolu_1", "menu_price", "{\"error\":\"unknown item\"}", true),
                new ChatMessage.User("hello?"))), events);
        events.next(ChatEvent.Done.class, 2000);

        var messages = fake.awaitRequest(1000).body().path("messages");
        assertThat(messages).hasSize(5);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).path("content").get(0).path("text").asText()).isEqualTo("Thanks for calling!");
        var toolUse = messages.get(3).path("content").get(0);
        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.path("input").path("item").asText()).isEqualTo("pizza");
        var last = messages.get(4);
        assertThat(last.path("role").asText()).isEqualTo("user");
        assertThat(last.path("content").get(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(last.path("content").get(0).path("is_error").asBoolean()).isTrue();
        assertThat(last.path("content").get(1).path("text").asText()).isEqualTo("hello?");
    }

    @Test
    void cancelBeforeTheFirstTokenClosesTheConnection() throws Exception {
        fake.timeToFirstToken(Duration.ofSeconds(20));
        var stream = model.stream(request(List.of(new ChatMessage.User("hi"))), events);
        var received = fake.awaitRequest(1000);
        Thread.sleep(50); // the headers are in: the cancel lands in the time-to-first-token gap

        stream.cancel();
        assertThat(received.awaitClientClose(10_000)).as("the client closed the connection, not the fake's 20 s").isTrue();
        events.assertQuiet(100);
    }

    @Test
    void anErrorEventAfterHttp200IsAServerError() throws Exception {
        fake.enqueue(FakeLlmServer.Reply.failingAfter("Hel"));
        model.stream(request(List.of(new ChatMessage.User("hi"))), events);

        assertThat(events.next(ChatEvent.TextDelta.class, 2000).text()).isEqualTo("Hel");
        var failed = events.next(ChatEvent.Failed.class, 2000);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.SERVER);
        assertThat(failed.error().message()).contains("overloaded_error");
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH", "RATE_LIMITED,RATE_LIMIT", "SERVER_ERROR,SERVER", "REFUSE,NETWORK",
            "GARBAGE,PROTOCOL", "DROP_MID_STREAM,NETWORK"})
    void mapsEachFaultToItsTypedError(FakeServerFault fault, ProviderError.Kind kind) throws Exception {
        fake.failNext(fault).failNext(fault).enqueue(FakeLlmServer.Reply.text("a", "b", "c", "d", "e", "f"));
        model.stream(request(List.of(new ChatMessage.User("hi"))), events);

        var failed = events.next(ChatEvent.Failed.class, 3000);
        assertThat(failed.error().kind()).isEqualTo(kind);
        assertThat(failed.error().toString()).doesNotContain("ak-test");
        events.assertQuiet(50);
    }
}
