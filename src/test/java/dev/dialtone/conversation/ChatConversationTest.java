package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.Settings;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.telephony.StreamEvent;
import dev.dialtone.telephony.TwilioCalls;

/**
 * The conversation driven by text (chat mode) with a manual clock: timers, nodes, DTMF and the
 * exact history, without audio. The LLM is the real OpenAI client against the fake server.
 */
class ChatConversationTest {
    @TempDir
    Path dir;
    private final FakeLlmServer llm = FakeOpenAi.start("k");
    private final ManualClock clock = new ManualClock();
    private final List<String> said = new CopyOnWriteArrayList<>();
    private final List<String> line = new CopyOnWriteArrayList<>();
    private PluginRuntime plugins;
    private final SimpleMeterRegistry pluginMeters = new SimpleMeterRegistry();
    private FlowRegistry flows;
    private CallSession session;

    @AfterEach
    void stop() {
        if (session != null) {
            session.act(new CallAction.HangUp("operator"));
        }
        if (flows != null) {
            flows.close();
            plugins.close();
        }
        llm.close();
    }

    private CallSession start(String flowYaml) throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/t.yaml"), flowYaml);
        return start(dir.resolve("flows"), dir.resolve("plugins"), "t");
    }

    private CallSession start(Path flowsDir, Path pluginsDir, String flowName) throws Exception {
        plugins = new PluginRuntime(PluginSettings.none(), pluginMeters);
        flows = new FlowRegistry(flowsDir, pluginsDir, plugins, Set.of("openai", "deepgram"),
                                 new SimpleMeterRegistry(), Clock.systemUTC());
        assertThat(flows.reload().applied()).isTrue();
        var providers = new Providers(Map.of(), Map.of("openai", new OpenAiChatModel(llm.baseUrl(), "k",
                Duration.ofSeconds(2), Duration.ofSeconds(5))), Map.of());
        var twilio = new TwilioCalls(new Settings.Twilio("", new dev.dialtone.Secret(""), java.net.URI.create("http://localhost:1"), 1000));
        var switchboard = new Switchboard(flows, providers, twilio, new TurnMetrics(new SimpleMeterRegistry()), clock, CallLog.NONE, Optional.empty());
        session = switchboard.chat(flows.byName(flowName).orElseThrow(), "CHAT1", said::add, new Line() {
            public void hangUp() {
                line.add("hangup");
            }

            public void transfer(String number) {
                line.add("transfer " + number);
            }
        });
        return session;
    }

    @Test
    void silenceIsRepromptedTwiceThenTheAgentSaysGoodbyeAndHangsUp() throws Exception {
        start("""
                name: t
                default: true
                greeting: Hi there.
                turn: { silence_reprompt_s: 8 }
                """);
        await(() -> said.equals(List.of("Hi there.")));
        await(() -> !session.transcript().turns().getLast().agentText().isEmpty());
        await(() -> clock.hasTimerWithin(Duration.ofSeconds(8)));
        clock.advance(Duration.ofSeconds(7));
        assertThat(said).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        await(() -> said.size() == 2);
        assertThat(said.get(1)).isEqualTo("Are you still there?");
        silence(8);
        await(() -> said.size() == 3);
        silence(8);
        await(() -> line.contains("hangup"));
        assertThat(said).containsExactly("Hi there.", "Are you still there?", "Are you still there?",
                                         "Thanks for calling. Goodbye!");
        await(session::ended);
        assertThat(session.transcript().endReason()).contains("no answer");
    }

    @Test
    void speakingResetsTheSilenceCount() throws Exception {
        llm.enqueue(Reply.text("Sure."));
        start("""
                name: t
                default: true
                greeting: Hi there.
                turn: { silence_reprompt_s: 8 }
                """);
        await(() -> said.size() == 1);
        silence(8);
        await(() -> said.size() == 2);
        session.type("hello");
        await(() -> said.contains("Sure."));
        silence(8);
        await(() -> said.size() == 4);
        silence(8);
        await(() -> said.size() == 5);
        assertThat(said.subList(3, 5)).containsExactly("Are you still there?", "Are you still there?");
        assertThat(line).isEmpty();
    }

    @Test
    void theCallsTimeLimitEndsItPolitely() throws Exception {
        start("""
                name: t
                default: true
                greeting: Hi there.
                turn: { silence_reprompt_s: 120, max_call_s: 30 }
                """);
        await(() -> said.size() == 1);
        clock.advance(Duration.ofSeconds(30));
        await(() -> line.contains("hangup"));
        assertThat(said.getLast()).contains("time limit");
    }

    @Test
    void nodeTransitionsSwitchPromptAndToolsAndSpeakTheNodesLine() throws Exception {
        llm.enqueue(Reply.toolCalls(new Call("c1", "goto_order", "{}")))
           .enqueue(Reply.text("A margherita, got it."))
           .enqueue(Reply.toolCalls(new Call("c2", "goto_done", "{}")));
        start("""
                name: t
                default: true
                prompt: You work at Luigi's.
                start: greet
                nodes:
                  greet:
                    prompt: Greet the caller and ask what they need.
                    next: { order: "The caller wants to order food" }
                  order:
                    prompt: Take the order item by item.
                    say: What would you like to order?
                    tools: [end_call]
                    next: { done: "The order is complete" }
                  done:
                    say: Thanks, your order is on its way.
                    end: true
                """);
        session.type("I'd like to order");
        await(() -> said.contains("What would you like to order?"));
        assertThat(session.transcript().node()).isEqualTo("order");
        var first = llm.requests().get(0).body();
        assertThat(first.path("messages").get(0).path("content").asText()).contains("Greet the caller");
        assertThat(first.path("tools").toString()).contains("goto_order").doesNotContain("goto_done");

        session.type("A margherita");
        await(() -> said.contains("A margherita, got it."));
        var second = llm.requests().get(1).body();
        assertThat(second.path("messages").get(0).path("content").asText()).contains("Take the order item by item")
                                                                         .doesNotContain("Greet the caller");
        assertThat(second.path("tools").toString()).contains("goto_done").contains("end_call").doesNotContain("goto_order");

        session.type("That's all");
        await(() -> line.contains("hangup"));
        assertThat(said.getLast()).isEqualTo("Thanks, your order is on its way.");
        assertThat(session.transcript().node()).isEqualTo("done");
    }

    @Test
    void theShippedPizzaFlowTakesAnOrderThroughItsNodesAndPlugins() throws Exception {
        llm.enqueue(Reply.toolCalls(new Call("c1", "goto_take_order", "{}")))
           .enqueue(Reply.text("Great, what would you like?"))
           .enqueue(Reply.toolCalls(new Call("c2", "add_to_order", "{\"item\":\"margherita\",\"size\":\"large\",\"quantity\":2}")))
           .enqueue(Reply.text("Two large margheritas. Anything else?"))
           .enqueue(Reply.toolCalls(new Call("c3", "goto_confirm", "{}")));
        start(Path.of("flows"), Path.of("plugins"), "luigis");
        await(() -> said.contains("Thanks for calling Luigi's Pizza! Is this for pickup or delivery?"));
        session.type("Pickup please");
        await(() -> said.contains("Great, what would you like?"));
        session.type("Two large margheritas");
        await(() -> String.join(" ", said).contains("Two large margheritas. Anything else?"));
        assertThat(session.transcript().turns().get(2).tools()).singleElement()
                .satisfies(t -> assertThat(t.result()).contains("\"total\":31"));
        session.type("That's all");
        // the confirm node's line is filled from the state the plugin wrote
        await(() -> said.contains("Let me read that back: 2 large margherita. The total is 31.00 dollars."));
        assertThat(session.transcript().node()).isEqualTo("confirm");
        var prompt = llm.requests().get(3).body().path("messages").get(0).path("content").asText();
        assertThat(prompt).contains("The order so far: 2 large margherita").contains("Take the order one item at a time");
    }

    @Test
    void anUnroutedDigitReachesTheLlmAsCallerInput() throws Exception {
        llm.enqueue(Reply.text("You pressed five."));
        start("""
                name: t
                default: true
                llm: { provider: openai, model: gpt-4o, temperature: 0.2, max_tokens: 123 }
                dtmf: { "0": { hangup: true } }
                """);
        session.onEvent(new StreamEvent.Dtmf(1, "MZ", "inbound_track", "5"));
        await(() -> clock.hasTimerWithin(Conversation.DIGIT_GAP));
        clock.advance(Conversation.DIGIT_GAP); // no more keys: the keyed turn ends
        await(() -> said.contains("You pressed five."));
        var body = llm.requests().getFirst().body();
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(123);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        var messages = body.path("messages");
        assertThat(messages.get(1).path("content").asText()).contains("pressed 5");
        session.onEvent(new StreamEvent.Dtmf(2, "MZ", "inbound_track", "0"));
        await(() -> line.contains("hangup"));
        assertThat(llm.requests()).hasSize(1);
    }

    @Test
    void theEndCallToolSaysGoodbyeThenHangsUp() throws Exception {
        llm.enqueue(Reply.toolCalls(new Call("c1", "end_call", "{}")));
        start("""
                name: t
                default: true
                tools: [end_call]
                """);
        session.type("bye");
        await(() -> line.contains("hangup"));
        assertThat(said).containsExactly("Thanks for calling. Goodbye!");
        assertThat(session.transcript().notes()).anySatisfy(n -> assertThat(n.kind()).isEqualTo("hangup"));
    }

    @Test
    void aPluginKeepsItsModuleStateForTheCallAndLetsGoWhenTheCallEnds() throws Exception {
        llm.enqueue(Reply.toolCalls(new Call("c1", "counter", "{}")))
           .enqueue(Reply.text("One."))
           .enqueue(Reply.toolCalls(new Call("c2", "counter", "{}")))
           .enqueue(Reply.text("Two."));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("plugins/counter.js"),
                "let runs = 0;\nexport default { description: 'd', run() { runs++; return { runs }; } };\n");
        start("""
                name: t
                default: true
                greeting: Hi there.
                tools: [counter]
                """);
        await(() -> said.contains("Hi there."));
        session.type("count");
        await(() -> said.contains("One."));
        session.type("again");
        await(() -> said.contains("Two."));
        assertThat(session.transcript().turns().stream().flatMap(t -> t.tools().stream()).map(Turn.ToolUse::result))
                .containsExactly("{\"runs\":1}", "{\"runs\":2}");
        assertThat(keptPluginContexts()).isEqualTo(1);
        session.act(new CallAction.HangUp("operator"));
        await(session::ended);
        await(() -> keptPluginContexts() == 0);
    }

    private double keptPluginContexts() {
        return pluginMeters.get("dialtone.plugin.contexts.kept").gauge().value();
    }

    /** Lets {@code seconds} of silence pass once the call has armed its silence timer. */
    private void silence(int seconds) {
        // the agent's last reply is over (its turn is complete) and the silence timer is armed
        await(() -> !session.transcript().turns().getLast().agentText().isEmpty());
        await(() -> clock.hasTimerWithin(Duration.ofSeconds(seconds)));
        clock.advance(Duration.ofSeconds(seconds));
    }

    private static void await(BooleanSupplier condition) {
        dev.dialtone.Await.until(condition, Duration.ofSeconds(5));
    }
}
