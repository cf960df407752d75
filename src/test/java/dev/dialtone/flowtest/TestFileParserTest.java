package dev.dialtone.flowtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Problem;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;

/**
 * A test file reads into cases with the file's defaults filled in, and every mistake is reported
 * at its line in the flows' words: the schema's findings, and what only the parser can see (one
 * action per turn, unique case names, dates, regular expressions, nodes and tools of the flow).
 */
class TestFileParserTest {
    @TempDir
    static Path dir;
    static PluginRuntime plugins;
    static FlowRegistry flows;
    static FlowVersion shop;

    @BeforeAll
    static void loadFlow() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/shop.yaml"), """
                name: shop
                default: true
                tools: [end_call]
                transfer_to: "+15550009999"
                start: greet
                nodes:
                  greet:
                    next: { order: "The caller wants to order" }
                  order:
                    tools: [transfer_call]
                """);
        // not a flow (no name, and keys a flow does not have): the loader must leave it out
        Files.writeString(dir.resolve("flows/shop.test.yaml"), "cases: [{ name: a, turns: [{ caller: hi }] }]\n");
        plugins = new PluginRuntime(PluginSettings.none());
        flows = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai", "deepgram"),
                                 new SimpleMeterRegistry(), Clock.systemUTC());
        assertThat(flows.reload().applied()).as("a test file beside a flow is not read as a flow").isTrue();
        shop = flows.byName("shop").orElseThrow();
    }

    @AfterAll
    static void close() {
        flows.close();
        plugins.close();
    }

    private static Path file() {
        return dir.resolve("flows/shop.test.yaml");
    }

    private static List<String> problems(String yaml) {
        var problems = new ArrayList<Problem>();
        TestFileParser.parse(file(), yaml, Optional.of(shop), problems);
        // by line, as validate prints them; on one line the schema's findings come first
        return problems.stream().sorted(Comparator.comparingInt(Problem::line)).map(Problem::toString).toList();
    }

    @Test
    void aTestFileReadsIntoCasesWithTheFilesDefaults() {
        var problems = new ArrayList<Problem>();
        var tests = TestFileParser.parse(file(), """
                caller: "+15551112222"
                now: "2026-06-05T18:30:00-04:00"
                config: { place: { url: "https://a.example/x", retries: 2 } }
                http: { "GET https://a.example/menu": { json: { items: [1, 2] } } }
                cases:
                  - name: orders
                    start: order
                    state: { total: "12.50" }
                    config: { place: { retries: 3 } }
                    http: { "POST https://a.example/x": { status: 409, body: taken, headers: { Retry-After: "5" } } }
                    tools: { end_call: { result: { ok: true } }, transfer_call: { error: busy } }
                    turns:
                      - caller: One pizza.
                        expect:
                          called: [{ tool: goto_order, args: { n: 1 }, args_match: { item: "(?i)pizza" } }]
                          said: { contains: pizza, not_contains: [sorry, error], pattern: "\\\\d+" }
                      - dtmf: "12#"
                      - wait: 8.5
                    expect: { node: order, state: { total: "12.50" }, ended: true, transferred: "+15550009999",
                              not_called: [end_call], rubric: [Polite.] }
                  - name: second
                    caller: "+15553334444"
                    turns: [{ caller: hi }]
                """, Optional.of(shop), problems);
        assertThat(problems).isEmpty();
        var cases = tests.orElseThrow().cases();
        assertThat(tests.get().stem()).isEqualTo("shop");
        var first = cases.getFirst();
        assertThat(first.caller()).isEqualTo("+15551112222");
        assertThat(first.now()).isEqualTo(Instant.parse("2026-06-05T22:30:00Z"));
        assertThat(first.start()).contains("order");
        assertThat(first.config()).isEqualTo(Map.of("place", Map.of("url", "https://a.example/x", "retries", 3)));
        assertThat(first.http()).containsOnlyKeys("GET https://a.example/menu", "POST https://a.example/x");
        assertThat(first.http().get("GET https://a.example/menu"))
                .isEqualTo(new FlowTestFile.HttpAnswer(200, Map.of("Content-Type", "application/json"), "{\"items\":[1,2]}"));
        assertThat(first.http().get("POST https://a.example/x")).isEqualTo(new FlowTestFile.HttpAnswer(409, Map.of("Retry-After", "5"), "taken"));
        assertThat(first.tools()).isEqualTo(Map.of("end_call", new FlowTestFile.ToolStandIn.Result("{\"ok\":true}"),
                                                   "transfer_call", new FlowTestFile.ToolStandIn.Error("busy")));
        assertThat(first.turns()).hasSize(3);
        assertThat(first.turns().get(1)).isEqualTo(new FlowTestFile.CallerTurn.Keys("12#", 17, List.of()));
        assertThat(first.turns().get(2)).isEqualTo(new FlowTestFile.CallerTurn.Waits(Duration.ofMillis(8500), 18, List.of()));
        var said = first.turns().getFirst().checks();
        assertThat(said).hasSize(5);
        assertThat(said.getFirst()).isInstanceOfSatisfying(Check.Called.class, c -> {
            assertThat(c.tool()).isEqualTo("goto_order");
            assertThat(c.args().orElseThrow().toString()).isEqualTo("{\"n\":1}");
            assertThat(c.argsMatch().get("item").pattern()).isEqualTo("(?i)pizza");
            assertThat(c.line()).isEqualTo(15);
        });
        assertThat(said.subList(1, 4)).containsExactly(new Check.SaidContains("pizza", 16), new Check.SaidNot("sorry", 16),
                                                       new Check.SaidNot("error", 16));
        assertThat(first.checks()).containsExactly(new Check.NotCalled("end_call", 20), new Check.InNode("order", 19),
                new Check.StateIs("total", "12.50", 19), new Check.Ended(true, 19), new Check.Transferred("+15550009999", 19),
                new Check.Rubric("Polite.", 20));
        assertThat(cases.get(1).caller()).isEqualTo("+15553334444");
        assertThat(cases.get(1).now()).isEqualTo(Instant.parse("2026-06-05T22:30:00Z"));
        assertThat(cases.get(1).start()).isEmpty();
    }

    @Test
    void mistakesAreReportedAtTheirLineInTheFlowsWords() {
        var f = file();
        assertThat(problems("""
                now: "2026-13-01T10:00:00Z"
                cases:
                  - name: one
                    turns:
                      - caller: hi
                        dtmf: "1"
                      - dtmf: 5
                      - {}
                    expct: { node: greet }
                  - name: one
                    turns: []
                    expect:
                      said: { pattern: "(" }
                      called: [{ args: {} }]
                      rubric: [a]
                """)).containsExactly(
                f + ":1: '2026-13-01T10:00:00Z' is not a real date and time",
                f + ":5: case 'one' turn 1 has caller and dtmf: give one per turn (a turn is one thing the caller does)",
                f + ":7: case 'one' turn 2 dtmf must be quoted, or YAML reads it as a number: \"5\"",
                f + ":8: case 'one' turn 3 needs one of caller, dtmf or wait",
                f + ":9: unknown key 'expct' in case 'one' (did you mean 'expect'?)",
                f + ":10: case name 'one' is used twice (first on line 3); each case needs its own",
                f + ":11: case 'one' has no turns: add at least one (caller, dtmf or wait)",
                f + ":13: '(' is not a regular expression: Unclosed group",
                f + ":14: case 'one' expect called #1 needs a tool");
    }

    @Test
    void nodesAndToolsAreCheckedAgainstTheFlowWithAHint() {
        var f = file();
        assertThat(problems("""
                cases:
                  - name: one
                    start: ordr
                    tools: { end_cal: { result: 1 }, transfer_call: { result: 1, error: x } }
                    http: { "FETCH x": {} }
                    turns:
                      - caller: hi
                        expect: { called: [{ tool: goto_ordr }], node: greeet, not_called: [menu] }
                """)).containsExactly(
                f + ":3: case 'one' starts in node 'ordr', which flow shop does not have (did you mean 'order'?)",
                f + ":4: case 'one' tools transfer_call needs exactly one of result or error",
                f + ":4: case 'one' replaces tool 'end_cal', which flow shop does not use (did you mean 'end_call'?)",
                f + ":5: the request of case 'one' http 'FETCH x' is not a method and a URL, such as \"POST https://kitchen.example/orders\"",
                f + ":8: expects a call of tool 'goto_ordr', which flow shop does not use (did you mean 'goto_order'?)",
                f + ":8: expects no call of tool 'menu', which flow shop does not use",
                f + ":8: expects the call in node 'greeet', which flow shop does not have (did you mean 'greet'?)");
    }

    @Test
    void anEmptyFileOrOneWithoutCasesSaysWhatItNeeds() {
        var f = file();
        assertThat(problems("")).containsExactly(f + ":1: the file is empty (a flow test file needs cases:, see flows/README.md)");
        assertThat(problems("caller: \"+15551112222\"\n")).containsExactly(f + ":1: cases is missing");
        assertThat(problems("cases: []\n")).containsExactly(f + ":1: cases is empty: add at least one case");
    }
}
