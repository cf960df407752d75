package dev.dialtone.flowtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowStatus;
import dev.dialtone.flow.Problem;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;

/**
 * A flow with {@code tests: gate}: an edit whose replayed cases fail is refused like a syntax error
 * (the last good version keeps answering; the case's file:line in the outcome, the status and a
 * metric), a fixed one goes live, and a plugin edit is gated the same way. Recordings are made as an
 * operator would, with {@code test-flows --record} (here against the fake OpenAI server), which
 * loads the folder on its own, as the server's gate does not.
 */
class ReloadGateTest {
    static final String FLOW = """
            name: shop
            default: true
            tests: gate
            greeting: Shop, hello.
            prompt: Quote prices with the quote tool and say the amount in dollars.
            tools: [quote]
            """;
    static final String PLUGIN = """
            export default {
              description: "Price of an item",
              parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
              run(args, call) { call.state.price = "9"; return { item: args.item, dollars: 9 }; }
            };
            """;
    static final String TESTS = """
            cases:
              - name: quotes the price
                turns:
                  - caller: How much is tea?
                    expect:
                      called: [{ tool: quote, args: { item: tea } }]
                      said: { contains: 9 dollars }
                expect:
                  state: { price: "9" }
            """;

    @TempDir
    Path dir;
    private final FakeLlmServer llm = FakeOpenAi.start("k");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private PluginRuntime plugins;
    private FlowRegistry flows;
    private ChatModel live;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/shop.yaml"), FLOW);
        Files.writeString(dir.resolve("plugins/quote.js"), PLUGIN);
        Files.writeString(dir.resolve("flows/shop.test.yaml"), TESTS);
        plugins = new PluginRuntime(PluginSettings.none());
        live = new OpenAiChatModel(llm.baseUrl(), "k", Duration.ofSeconds(2), Duration.ofSeconds(5));
        record(answers("9"));
        flows = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai", "deepgram"), meters,
                                 Clock.systemUTC(), new TestGate(provider -> Optional.of(live), Duration.ofSeconds(10)));
        assertThat(flows.reload().applied()).isTrue();
    }

    @AfterEach
    void tearDown() {
        flows.close();
        plugins.close();
        llm.close();
    }

    /** The fake LLM's answers to one recording of the case: the tool call, then the price it says. */
    private FakeLlmServer answers(String price) {
        return llm.enqueue(Reply.toolCalls(new Call("c1", "quote", "{\"item\": \"tea\"}")))
                  .enqueue(Reply.text("Tea is " + price + " dollars."));
    }

    /** {@code bin/dialtone test-flows --record shop}: its own load of the folder, no gate. */
    private FileResult record(FakeLlmServer scripted) throws Exception {
        try (var own = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai", "deepgram"),
                                        new SimpleMeterRegistry(), Clock.systemUTC())) {
            assertThat(own.reload().applied()).isTrue();
            var version = own.byName("shop").orElseThrow();
            var problems = new ArrayList<Problem>();
            var tests = FlowTests.read(dir.resolve("flows/shop.test.yaml"), Optional.of(version), problems);
            return FlowTests.record(version, tests.orElseThrow(), live, Duration.ofSeconds(10));
        }
    }

    private double gateFailures(boolean refused) {
        var counter = meters.find("dialtone.flows.gate.failures").tag("flow", "shop").tag("refused", String.valueOf(refused)).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gateFailures() {
        return gateFailures(true);
    }

    @Test
    void anEditThatBreaksAGatedCaseIsRefusedAndTheFixGoesLive() throws Exception {
        var good = flows.byName("shop").orElseThrow();
        var flowFile = dir.resolve("flows/shop.yaml");
        var testFile = dir.resolve("flows/shop.test.yaml");

        // the prompt is reworded and re-recorded: the agent now leaves the price out
        Files.writeString(flowFile, FLOW.replace("say the amount in dollars", "keep answers short"));
        var unrecorded = flows.reload();
        assertThat(unrecorded.applied()).as("the cassette no longer answers the new prompt").isFalse();
        assertThat(unrecorded.errors()).anySatisfy(p -> assertThat(p.toString()).startsWith(testFile + ":")
                .contains("case 'quotes the price'").contains("re-record"));
        llm.enqueue(Reply.toolCalls(new Call("c1", "quote", "{\"item\": \"tea\"}"))).enqueue(Reply.text("It is cheap."));
        assertThat(record(llm).passed()).isFalse();
        var refused = flows.reload();
        assertThat(refused.applied()).isFalse();
        assertThat(refused.errors()).extracting(Problem::toString)
                .containsExactly(testFile + ":7: case 'quotes the price': turn 1: expected the agent to say \"9 dollars\"; it said: \"It is cheap.\"");
        assertThat(flows.byName("shop")).as("the last good version keeps answering").containsSame(good);
        assertThat(gateFailures()).isEqualTo(2);
        var status = flows.status().getFirst();
        assertThat(status.version()).contains(good.hash());
        assertThat(status.lastError()).hasValueSatisfying(e -> assertThat(e).contains(testFile + ":7: case 'quotes the price'"));
        assertThat(status.tests()).hasValueSatisfying(t -> assertThat(t).startsWith("gate refused a new version: 1 of 1 case replayed failed"));

        // the prompt is fixed and recorded again: it passes and goes live
        Files.writeString(flowFile, FLOW.replace("say the amount in dollars", "always say the amount in dollars"));
        assertThat(record(answers("9")).passed()).isTrue();
        var fixed = flows.reload();
        assertThat(fixed.applied()).isTrue();
        assertThat(fixed.changed()).containsExactly("shop");
        assertThat(flows.byName("shop").orElseThrow().flow().prompt().text()).contains("always say the amount");
        assertThat(flows.status().getFirst().lastError()).isEmpty();
        assertThat(flows.status().getFirst().tests()).hasValueSatisfying(t -> assertThat(t).startsWith("gate passed on version")
                .contains("1 case replayed passed"));
        assertThat(gateFailures()).isEqualTo(2);
    }

    @Test
    void aPluginEditThatBreaksACaseIsRefusedTheSameWay() throws Exception {
        var good = flows.byName("shop").orElseThrow();
        Files.writeString(dir.resolve("plugins/quote.js"), PLUGIN.replace("\"9\"", "\"12\"").replace("dollars: 9", "dollars: 12"));
        var refused = flows.reload();
        assertThat(refused.applied()).isFalse();
        var testFile = dir.resolve("flows/shop.test.yaml");
        // the tool's new result is not what the LLM was recorded answering: the case stops there
        assertThat(refused.errors()).extracting(Problem::toString).singleElement().satisfies(e -> assertThat(e)
                .startsWith(testFile + ":4: case 'quotes the price': turn 1 (caller: How much is tea?): no recorded LLM answer")
                .contains("a tool's result: a plugin or a case's stand-in answers differently"));
        assertThat(flows.byName("shop")).containsSame(good);
        assertThat(flows.status().getFirst().lastError()).hasValueSatisfying(e -> assertThat(e).contains(testFile + ":4:"));
        assertThat(gateFailures()).isEqualTo(1);

        Files.writeString(dir.resolve("plugins/quote.js"), PLUGIN.replace("return {", "/* unchanged result */ return {"));
        var fixed = flows.reload();
        assertThat(fixed.applied()).as("the same result: the recordings still answer").isTrue();
        assertThat(flows.byName("shop").orElseThrow().hash()).isNotEqualTo(good.hash());
    }

    @Test
    void casesThatNeedALiveLlmRunAfterTheSwapAndReport() throws Exception {
        Files.writeString(dir.resolve("flows/shop.test.yaml"), TESTS + """
                  - name: greets
                    turns:
                      - caller: Hello?
                        expect: { said: { contains: welcome } }
                """);
        llm.enqueue(Reply.text("Hello, and welcome to the shop."));
        var outcome = flows.reload();
        assertThat(outcome.applied()).as("the unrecorded case does not block").isTrue();
        Await.until(() -> flows.status().getFirst().tests().orElse("").contains("live LLM cases"), Duration.ofSeconds(30));
        var tests = flows.status().getFirst().tests().orElseThrow();
        assertThat(tests).contains("1 case replayed passed; 1 case needs a live LLM")
                .contains("live LLM cases of version " + flows.byName("shop").orElseThrow().hash() + ": 1 case passed");
        assertThat(llm.requests()).last().satisfies(r -> assertThat(r.body().toString()).contains("Hello?"));
    }

    @Test
    void testsThatChangeAndFailOnTheUnchangedLiveVersionAreReportedNotRefused() throws Exception {
        var good = flows.byName("shop").orElseThrow();
        var testFile = dir.resolve("flows/shop.test.yaml");
        Files.writeString(testFile, TESTS.replace("contains: 9 dollars", "contains: 10 dollars"));
        var outcome = flows.reload();
        assertThat(outcome.applied()).as("a test file is not live: there is nothing to refuse").isTrue();
        assertThat(flows.byName("shop")).containsSame(good);
        assertThat(flows.status().getFirst().tests()).hasValueSatisfying(t -> assertThat(t)
                .startsWith("tests changed and fail on the live version " + good.hash())
                .contains(testFile + ":7: case 'quotes the price': turn 1: expected the agent to say \"10 dollars\""));
        assertThat(gateFailures(false)).isEqualTo(1);
        assertThat(gateFailures(true)).isZero();
        flows.reload();
        assertThat(gateFailures(false)).as("reported once per change of the tests").isEqualTo(1);
    }

    @Test
    void aGatedFlowNeedsItsTestFile() throws Exception {
        Files.delete(dir.resolve("flows/shop.test.yaml"));
        var outcome = flows.reload();
        assertThat(outcome.errors()).extracting(Problem::toString)
                .containsExactly(dir.resolve("flows/shop.yaml") + ":3: tests: gate needs the flow's tests beside it, in shop.test.yaml (see flows/README.md)");
        assertThat(flows.status()).extracting(FlowStatus::name).containsExactly("shop");
    }
}
