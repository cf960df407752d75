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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Problem;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;

/**
 * Cases run the real plugins with the case's fixtures: an http answer reaches the plugin (and one
 * missing fails the case), a fixed result or error replaces the plugin, which never runs. Each case
 * is recorded against the fake OpenAI server, then replayed from the cassette with no server at all.
 */
class FlowTestRunTest {
    @TempDir
    static Path dir;
    static PluginRuntime plugins;
    static FlowRegistry flows;
    static FlowVersion shop;
    private final FakeLlmServer llm = FakeOpenAi.start("k");

    @BeforeAll
    static void loadFlow() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/shop.yaml"), """
                name: shop
                default: true
                greeting: Shop, hello.
                tools: [order, quote]
                """);
        Files.writeString(dir.resolve("plugins/order.js"), """
                export default {
                  description: "Send the order",
                  parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
                  async run(args, call) {
                    const r = await call.http.fetch(call.config.url, { method: "POST", body: JSON.stringify({ item: args.item }) });
                    if (!r.ok) return { placed: false, status: r.status };
                    call.state.order_number = r.json().order_number;
                    return { placed: true, number: call.state.order_number };
                  }
                };
                """);
        Files.writeString(dir.resolve("plugins/quote.js"), """
                export default {
                  description: "Price of an item",
                  parameters: { type: "object", properties: {} },
                  run() { throw new Error("the real quote plugin ran"); }
                };
                """);
        plugins = new PluginRuntime(PluginSettings.none()); // no host allowed: only a case's answers reach the plugin
        flows = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai", "deepgram"),
                                 new SimpleMeterRegistry(), Clock.systemUTC());
        assertThat(flows.reload().applied()).isTrue();
        shop = flows.byName("shop").orElseThrow();
    }

    @AfterAll
    static void close() {
        flows.close();
        plugins.close();
    }

    @AfterEach
    void stopLlm() {
        llm.close();
    }

    private FileResult recordThenReplay(String yaml) throws Exception {
        var file = dir.resolve("flows/shop.test.yaml");
        Files.writeString(file, yaml);
        var problems = new ArrayList<Problem>();
        var tests = FlowTests.read(file, Optional.of(shop), problems);
        assertThat(problems).isEmpty();
        var live = new OpenAiChatModel(llm.baseUrl(), "k", Duration.ofSeconds(2), Duration.ofSeconds(5));
        var recorded = FlowTests.record(shop, tests.orElseThrow(), live, Duration.ofSeconds(10));
        llm.close(); // the replay has no server to reach
        var replayed = FlowTests.replay(shop, tests.orElseThrow(), Duration.ofSeconds(10));
        assertThat(replayed.cases()).extracting(CaseResult::failures).as("the replay fails as the recording did")
                .containsExactlyElementsOf(recorded.cases().stream().map(CaseResult::failures).toList());
        assertThat(replayed.cases()).extracting(CaseResult::transcript)
                .containsExactlyElementsOf(recorded.cases().stream().map(CaseResult::transcript).toList());
        return replayed;
    }

    @Test
    void anHttpAnswerOfTheCaseReachesThePluginAndAMissingOneFailsTheCase() throws Exception {
        llm.enqueue(Reply.toolCalls(new Call("c1", "order", "{\"item\": \"tea\"}"))).enqueue(Reply.text("Your number is A17."))
           .enqueue(Reply.toolCalls(new Call("c2", "order", "{\"item\": \"tea\"}"))).enqueue(Reply.text("Sorry, that failed."));
        var result = recordThenReplay("""
                config: { order: { url: "https://kitchen.example/orders" } }
                cases:
                  - name: answered
                    http: { "POST https://kitchen.example/orders": { status: 201, json: { order_number: A17 } } }
                    turns:
                      - caller: One tea.
                        expect: { called: [{ tool: order, args: { item: tea } }], said: { contains: A17 } }
                    expect: { state: { order_number: A17 } }
                  - name: not answered
                    turns:
                      - caller: One tea.
                """);
        var answered = result.cases().getFirst();
        assertThat(answered.failures()).isEmpty();
        assertThat(answered.transcript()).isEqualTo("""
                agent: Shop, hello.
                caller: One tea.
                  tool order {"item":"tea"} -> {"placed":true,"number":"A17"}
                agent: Your number is A17.
                """);
        var missing = result.cases().get(1);
        assertThat(missing.failureLines()).containsExactly(dir.resolve("flows/shop.test.yaml") + ":9: a plugin asked for POST"
                + " https://kitchen.example/orders, which the case does not answer (add it under http:; tests never use the network)");
        assertThat(missing.transcript()).contains("tool order {\"item\":\"tea\"} -> error {\"error\":\"tool order failed: "
                + "Error: http.fetch: the test case has no answer for POST https://kitchen.example/orders");
    }

    @Test
    void aFixedResultOrErrorReplacesThePlugin() throws Exception {
        llm.enqueue(Reply.toolCalls(new Call("c1", "quote", "{}"))).enqueue(Reply.text("Nine dollars."))
           .enqueue(Reply.toolCalls(new Call("c2", "quote", "{}"))).enqueue(Reply.text("Sorry, it is out of stock."));
        var result = recordThenReplay("""
                cases:
                  - name: result
                    tools: { quote: { result: { price: 9 } } }
                    turns: [{ caller: "How much?", expect: { said: { contains: nine } } }]
                  - name: error
                    tools: { quote: { error: out of stock } }
                    turns: [{ caller: "How much?", expect: { said: { contains: out of stock } } }]
                """);
        assertThat(result.passed()).isTrue();
        assertThat(result.cases().getFirst().transcript()).contains("tool quote {} -> {\"price\":9}").doesNotContain("the real quote plugin ran");
        assertThat(result.cases().get(1).transcript()).contains("tool quote {} -> error {\"error\":\"tool quote failed: out of stock\"}");
    }
}
