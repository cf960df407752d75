package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.dialtone.fakes.FakeAnthropic;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.anthropic.AnthropicChatModel;
import dev.dialtone.llm.openai.OpenAiChatModel;

/**
 * The two barge-ins that used to end a call's LLM for good, through the real clients against fake
 * servers that refuse what OpenAI and Anthropic refuse: the request after each must be served.
 */
class WireHistoryTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic"})
    void aBargeInBeforeAnyAudioOfAFinishedReplyKeepsTheNextRequestValid(String provider) throws Exception {
        try (var fake = fake(provider); var flow = new HarnessFlow(dir, provider, "");
             var call = new ConversationHarness(flow, client(provider, fake))) {
            fake.enqueue(Reply.text("We deliver ", "within three miles.")).enqueue(Reply.text("We open at noon."));
            call.start();
            call.callerSays("Do you deliver?");
            call.awaitEvent(WireHistoryTest::llmDone);

            call.callerSays("What are your hours?"); // nothing of the reply has been heard yet
            call.awaitEvent(WireHistoryTest::llmDone);

            assertThat(fake.refusals()).isEmpty();
            assertThat(fake.requests()).hasSize(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic"})
    void aBargeInWhileParallelToolsRunKeepsTheNextRequestValid(String provider) throws Exception {
        try (var fake = fake(provider); var flow = new HarnessFlow(dir, provider, "");
             var call = new ConversationHarness(flow, client(provider, fake))) {
            fake.enqueue(Reply.toolCalls(new Call("call_a", "lookup", "{\"key\":\"a\"}"),
                                         new Call("call_b", "book", "{\"key\":\"b\"}")))
                .enqueue(Reply.text("For four, then."));
            call.start();
            call.callerSays("Book a table and check the menu.");
            call.awaitEvent(WireHistoryTest::llmDone);
            call.finishTool("b");

            call.callerSays("Wait, make it for four.");
            call.awaitEvent(WireHistoryTest::llmDone);

            assertThat(fake.refusals()).isEmpty();
            var last = fake.requests().getLast().body().toString();
            assertThat(last).contains("interrupted", "\\\"done\\\":true");
        }
    }

    private static boolean llmDone(CallEvent event) {
        return event instanceof CallEvent.Llm llm && llm.event() instanceof ChatEvent.Done;
    }

    private static FakeLlmServer fake(String provider) {
        return provider.equals("openai") ? FakeOpenAi.start("k") : FakeAnthropic.start("k");
    }

    private static ChatModel client(String provider, FakeLlmServer fake) {
        return provider.equals("openai")
               ? new OpenAiChatModel(fake.baseUrl(), "k", Duration.ofSeconds(2), Duration.ofSeconds(5))
               : new AnthropicChatModel(fake.baseUrl(), "k", Duration.ofSeconds(2), Duration.ofSeconds(5));
    }
}
