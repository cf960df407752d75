package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;

/**
 * {@link TextCall}: the conversation driven on the test's thread in text mode on virtual time. A
 * turn returns once the agent has answered; timers fire only when the driver lets time pass, so a
 * keyed turn, a re-prompt and the time limit happen at once, never after a real wait.
 */
class TextCallTest {
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dir;
    private PluginRuntime plugins;
    private FlowRegistry flows;
    private final Answers llm = new Answers();

    @AfterEach
    void close() {
        if (flows != null) {
            flows.close();
            plugins.close();
        }
    }

    private FlowVersion flow(String yaml) throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/t.yaml"), yaml);
        plugins = new PluginRuntime(PluginSettings.none());
        flows = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai", "deepgram"),
                                 new SimpleMeterRegistry(), Clock.systemUTC());
        assertThat(flows.reload().applied()).isTrue();
        return flows.byName("t").orElseThrow();
    }

    private static TextCall.Setup setup(Optional<String> node, Map<String, String> state) {
        return new TextCall.Setup("CA1", "+15550100000", "+15550001111", NOW, node, state);
    }

    @Test
    void aTypedTurnReturnsOnceTheAgentHasAnsweredWithTheGreetingInTheHistory() throws Exception {
        var flow = flow("name: t\ndefault: true\ngreeting: Hi there.\nprompt: It is {{now}}.\ntimezone: UTC\n");
        llm.answer(new ChatEvent.TextDelta("Hello "), new ChatEvent.TextDelta("again."));
        try (var call = new TextCall(flow, llm, setup(Optional.empty(), Map.of()))) {
            assertThat(call.start(PATIENCE)).isTrue();
            assertThat(call.say("hello", PATIENCE)).isTrue();
            assertThat(call.lines()).containsExactly("Hi there.", "Hello again.");
            assertThat(llm.requests.getFirst().systemPrompt()).as("{{now}} is the virtual clock's")
                    .contains("Monday 1 June 2026, 12:00");
            assertThat(call.history()).containsExactly(new ChatMessage.Assistant("Hi there."), new ChatMessage.User("hello"),
                                                       new ChatMessage.Assistant("Hello again."));
            assertThat(call.happenings()).containsExactly(new TextCall.Happening.Said("Hi there."),
                                                          new TextCall.Happening.Said("Hello again."));
        }
    }

    @Test
    void unroutedKeysMakeOneTurnAfterThePauseWithoutWaiting() throws Exception {
        var flow = flow("name: t\ndefault: true\ndtmf: { \"0\": { transfer: \"+15550009999\" } }\n");
        llm.answer(new ChatEvent.TextDelta("You pressed 42."));
        try (var call = new TextCall(flow, llm, setup(Optional.empty(), Map.of()))) {
            call.start(PATIENCE);
            long started = System.nanoTime();
            assertThat(call.press("42", PATIENCE)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("virtual time: the 1.5 s pause is not waited for")
                    .isLessThan(Conversation.DIGIT_GAP);
            assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history().getLast())
                    .isEqualTo(new ChatMessage.User("(The caller pressed 42 on the keypad.)")));
            assertThat(call.press("0", PATIENCE)).isTrue();
            assertThat(call.transferredTo()).contains("+15550009999");
            assertThat(call.ended()).isTrue();
        }
    }

    @Test
    void silenceIsRepromptedWhenTheDriverLetsTimePass() throws Exception {
        var flow = flow("name: t\ndefault: true\ngreeting: Hi there.\nturn: { silence_reprompt_s: 8, max_call_s: 60 }\n");
        try (var call = new TextCall(flow, llm, setup(Optional.empty(), Map.of()))) {
            call.start(PATIENCE);
            call.pause(Duration.ofSeconds(7), PATIENCE);
            assertThat(call.lines()).containsExactly("Hi there.");
            call.pause(Duration.ofSeconds(1), PATIENCE);
            assertThat(call.lines()).containsExactly("Hi there.", "Are you still there?");
            call.pause(Duration.ofSeconds(30), PATIENCE);
            assertThat(call.lines()).as("each re-prompt arms the next silence timer, which fires within the same pause")
                    .containsExactly("Hi there.", "Are you still there?", "Are you still there?", "Thanks for calling. Goodbye!");
            assertThat(call.hungUp()).isTrue();
            assertThat(call.transcript().endReason()).contains("no answer");
        }
    }

    @Test
    void aKeyThatMovesToANodeWithNothingToSayStillRepromptsASilentCaller() throws Exception {
        var flow = flow("""
                name: t
                default: true
                greeting: Hi there.
                turn: { silence_reprompt_s: 8 }
                start: first
                nodes:
                  first: { prompt: Greet the caller. }
                  booking: { prompt: Book an appointment. }
                dtmf: { "1": { node: booking } }
                """);
        try (var call = new TextCall(flow, llm, setup(Optional.empty(), Map.of()))) {
            call.start(PATIENCE);
            call.press("1", PATIENCE);
            assertThat(call.node()).contains("booking");
            call.pause(Duration.ofSeconds(8), PATIENCE);
            assertThat(call.lines()).containsExactly("Hi there.", "Are you still there?");
        }
    }

    @Test
    void aCallStartedInANodeOpensWithItsLineAndStateAndNoGreeting() throws Exception {
        var flow = flow("""
                name: t
                default: true
                greeting: Welcome!
                start: first
                nodes:
                  first:
                    next: { second: "later" }
                  second:
                    say: "Your total is {{state.total}}."
                    tools: [end_call]
                """);
        llm.answer(new ChatEvent.ToolCallReady(new ToolCall("c1", "end_call", "{}")), new ChatEvent.Done("tool_calls", ChatEvent.Usage.NONE));
        try (var call = new TextCall(flow, llm, setup(Optional.of("second"), Map.of("total", "12.50")))) {
            call.start(PATIENCE);
            assertThat(call.lines()).containsExactly("Your total is 12.50.");
            assertThat(call.node()).contains("second");
            call.say("bye", PATIENCE);
            assertThat(call.happenings()).anySatisfy(h -> assertThat(h).isInstanceOf(TextCall.Happening.ToolUsed.class));
            assertThat(call.hungUp()).isTrue();
            assertThat(call.state()).containsEntry("total", "12.50");
        }
        assertThatThrownBy(() -> new TextCall(flow, llm, setup(Optional.of("third"), Map.of())))
                .hasMessageContaining("no node named third");
    }

    /** Answers each request at once with the next scripted events (a Done is added when missing). */
    private static final class Answers implements ChatModel {
        final List<ChatRequest> requests = new ArrayList<>();
        private final ArrayDeque<List<ChatEvent>> answers = new ArrayDeque<>();

        void answer(ChatEvent... events) {
            var list = new ArrayList<>(List.of(events));
            if (!(list.getLast() instanceof ChatEvent.Done)) {
                list.add(new ChatEvent.Done("stop", ChatEvent.Usage.NONE));
            }
            answers.add(list);
        }

        @Override
        public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
            requests.add(request);
            var next = answers.poll();
            (next == null ? List.<ChatEvent>of(new ChatEvent.TextDelta("OK."), new ChatEvent.Done("stop", ChatEvent.Usage.NONE))
                          : next).forEach(listener);
            return () -> { };
        }
    }
}
