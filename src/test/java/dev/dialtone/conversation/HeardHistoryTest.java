package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.AnthropicRequestRules;
import dev.dialtone.fakes.OpenAiRequestRules;
import dev.dialtone.llm.ChatHistory;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.llm.anthropic.AnthropicRequestBody;
import dev.dialtone.llm.openai.OpenAiRequestBody;

/**
 * A barge-in at every moment of a reply leaves a history that both LLM APIs accept and that holds
 * only what the caller heard: what each API refuses is checked with the fakes' rules on the bodies
 * the real clients would send.
 */
class HeardHistoryTest extends HarnessTestBase {
    @Test
    void aBargeInBeforeAnyAudioOfAFinishedReplyLeavesNoEmptyAgentMessage() {
        call.callerSays("Do you deliver?");
        llm.open().text("We deliver within three miles.");
        llm.open().done();
        assertThat(call.voice.unsent()).isNotEmpty();

        call.callerSays("Actually, what are your hours?");

        assertThat(lastRequest().history()).containsExactly(
                new ChatMessage.User("Do you deliver?"), new ChatMessage.User("Actually, what are your hours?"));
        assertAcceptedByBothApis(lastRequest());
    }

    @Test
    void anEmptyModelReplyAddsNoMessage() {
        call.callerSays("Hello?");
        llm.open().done();
        call.callerSays("Hello, anyone there?");

        assertThat(lastRequest().history()).containsExactly(
                new ChatMessage.User("Hello?"), new ChatMessage.User("Hello, anyone there?"));
        assertAcceptedByBothApis(lastRequest());
    }

    @Test
    void aBargeInWhileParallelToolsRunKeepsTheResultsOfTheToolsThatFinished() throws Exception {
        call.callerSays("Book a table and check the menu.");
        llm.open().toolCall("call_a", "lookup", "a");
        llm.open().toolCall("call_b", "book", "b");
        llm.open().done();
        call.finishTool("b");

        call.callerSays("Wait, make it for four.");

        var history = lastRequest().history();
        assertThat(history.subList(2, 4)).containsExactly(
                new ChatMessage.ToolResult("call_a", "lookup", History.INTERRUPTED, true),
                new ChatMessage.ToolResult("call_b", "book", "{\"key\":\"b\",\"done\":true}", false));
        assertThat(history.getLast()).isEqualTo(new ChatMessage.User("Wait, make it for four."));
        assertAcceptedByBothApis(lastRequest());
    }

    @Test
    void aBargeInAfterAToolCallStreamedButBeforeTheRoundEndedLeavesNoOrphanResult() {
        call.callerSays("What does a pizza cost?");
        llm.open().text("Let me see. ");
        llm.open().toolCall("call_a", "lookup", "a");
        call.voice.send(call.voice.unsent().getFirst());

        call.callerSays("Never mind.");

        assertThat(lastRequest().history()).noneMatch(m -> m instanceof ChatMessage.ToolResult);
        assertAcceptedByBothApis(lastRequest());
    }

    @Test
    void aToolCallMessageKeepsOnlyTheWordsTheCallerHeardBeforeTheBargeIn() throws Exception {
        call.callerSays("Can I book for tonight?");
        llm.open().text("Sure, I can do that for you right away. ");
        llm.open().text("Let me check the book. ");
        llm.open().toolCall("call_b", "book", "b");
        llm.open().done();
        var first = call.voice.unsent().getFirst();
        call.voice.send(first);
        call.voice.echo(first);
        call.drain();

        call.callerSays("Sorry, tomorrow.");

        var history = lastRequest().history();
        assertThat(history.get(1)).isEqualTo(new ChatMessage.Assistant("Sure, I can do that for you right away.",
                List.of(new ToolCall("call_b", "book", "{\"key\":\"b\"}"))));
        assertAcceptedByBothApis(lastRequest());
    }

    @Test
    void aFinishedToolRoundAndAPartlyHeardAnswerStayValidAfterABargeIn() throws Exception {
        call.callerSays("Is there a table?");
        llm.open().toolCall("call_b", "book", "b");
        llm.open().done();
        call.finishTool("b");
        llm.open().text("Yes, there is one at eight. ");
        llm.open().text("Shall I hold it?");
        llm.open().done();
        call.voice.send(call.voice.unsent().getFirst());
        call.clock.advance(Duration.ofMillis(600));

        call.callerSays("Yes please.");

        var history = lastRequest().history();
        assertThat(history).hasSize(5);
        assertThat(history.get(3)).isInstanceOfSatisfying(ChatMessage.Assistant.class,
                a -> assertThat("Yes, there is one at eight.").startsWith(a.text()));
        assertAcceptedByBothApis(lastRequest());
    }

    private ChatRequest lastRequest() {
        return llm.requests.getLast();
    }

    /** Accepted as built: the clients' last-line mending ({@link ChatHistory#valid}) had nothing to do. */
    static void assertAcceptedByBothApis(ChatRequest request) {
        assertThat(ChatHistory.valid(request.history())).as("needed no mending").isSameAs(request.history());
        var openAi = new ChatRequest("gpt-4o-mini", request.temperature(), request.maxTokens(), request.systemPrompt(),
                                     request.history(), request.tools());
        var anthropic = new ChatRequest("claude-haiku-4-5", request.temperature(), request.maxTokens(),
                                        request.systemPrompt(), request.history(), request.tools());
        assertThat(OpenAiRequestRules.problems(OpenAiRequestBody.of(openAi))).as("OpenAI's refusals").isEmpty();
        assertThat(AnthropicRequestRules.problems(AnthropicRequestBody.of(anthropic))).as("Anthropic's refusals").isEmpty();
    }
}
