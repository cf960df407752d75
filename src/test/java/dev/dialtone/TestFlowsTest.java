package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.flow.FlowCheck;
import dev.dialtone.flowtest.FlowTests;

/**
 * {@code bin/dialtone test-flows}: the shipped flows pass from their cassettes with no network and
 * no keys; a failing expectation exits 1 with the call's transcript; a changed prompt fails loudly,
 * saying to re-record; --junit writes one testcase per case; --record records with the live LLM.
 */
class TestFlowsTest {
    @TempDir
    Path dir;

    /** Runs the command with these settings; the exit code, then what it printed. */
    private record Run(int exit, String out) {
    }

    private static Run testFlows(Settings settings, String... args) {
        var bytes = new ByteArrayOutputStream();
        int exit = TestFlows.run(settings, args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    /** Settings with no provider key at all, for the flows and plugins in {@code root}. */
    private static Settings noKeys(Path root, Map<String, String> more) {
        var env = new HashMap<>(Map.of("DIALTONE_FLOWS", root.resolve("flows").toString(),
                                       "DIALTONE_PLUGINS", root.resolve("plugins").toString()));
        env.putAll(more);
        return TestSettings.with(env);
    }

    /** A folder with the shipped front-desk flow, its tests and cassette, and its one plugin. */
    private Path frontDesk() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        for (var name : new String[] {"front-desk.yaml", "front-desk.test.yaml", "front-desk.test.cassette.json"}) {
            Files.copy(Path.of("flows", name), dir.resolve("flows").resolve(name));
        }
        Files.copy(Path.of("plugins/take_message.js"), dir.resolve("plugins/take_message.js"));
        return dir;
    }

    private static void edit(Path file, String from, String to) throws Exception {
        var text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    @Test
    void theShippedFlowsPassFromTheirCassettesWithNoNetworkAndNoKeys() throws Exception {
        var junit = dir.resolve("flows.xml");
        var run = testFlows(noKeys(Path.of("."), Map.of()), "--junit", junit.toString());
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).contains("flows/luigis.test.yaml (flow luigis)", "ok    places the confirmed order with the kitchen",
                                       "ok    sends urgent symptoms to the nurse line", "ok    takes a message and ends the call")
                             .doesNotContain("FAIL");
        int cases = (int) run.out().lines().filter(l -> l.startsWith("  ok    ")).count();
        assertThat(run.out()).contains(cases + " cases: " + cases + " passed, 0 failed");
        var xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile()).getDocumentElement();
        assertThat(xml.getTagName()).isEqualTo("testsuites");
        assertThat(xml.getElementsByTagName("testsuite").getLength()).isEqualTo(3);
        var testcases = xml.getElementsByTagName("testcase");
        assertThat(testcases.getLength()).as("one testcase per case").isEqualTo(cases);
        assertThat(xml.getElementsByTagName("failure").getLength()).isZero();
        assertThat(((Element) testcases.item(0)).getAttribute("classname")).isEqualTo("flows.clinic");
    }

    @Test
    void aFailingExpectationExitsOneWithTheCallsTranscriptAndAJUnitFailure() throws Exception {
        var root = frontDesk();
        edit(root.resolve("flows/front-desk.test.yaml"), "said: { contains: March invoice }", "said: { contains: April invoice }");
        var junit = dir.resolve("front-desk.xml");
        var run = testFlows(noKeys(root, Map.of()), "--junit", junit.toString(), "front-desk");
        assertThat(run.exit()).as(run.out()).isEqualTo(1);
        var test = root.resolve("flows/front-desk.test.yaml");
        assertThat(run.out()).contains("""
                  FAIL  takes a message and ends the call""").contains("""
                        %s:18: turn 2: expected the agent to say "April invoice"; it said: "I've noted it: Sam Lee, on 555 012 3456, \
                about the March invoice. Anything else?"
                        transcript:
                          agent: Hello, you've reached Dialtone. How can I help?
                          caller: Hi, this is Sam Lee. Could Dana call me back about the March invoice?
                          agent: Of course, Sam. Should Dana call you back at 555 012 3456, the number you're calling from?
                          caller: Yes, that's fine.
                            tool take_message {"name":"Sam Lee","callback_number":"+15550123456","message":"Please call back about \
                the March invoice."} -> {"taken":true,"read_back":"Sam Lee, +15550123456: Please call back about the March invoice."}
                          agent: I've noted it: Sam Lee, on 555 012 3456, about the March invoice. Anything else?
                          caller: No, that's all. Thanks!
                            tool end_call {"reason":"message taken"} -> {"ending":true}
                          agent: Thanks for calling. Goodbye!
                            (the agent hung up: agent ended the call)
                """.formatted(test)).contains("ok    does not pretend to look anything up", "2 cases: 1 passed, 1 failed");
        var xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile()).getDocumentElement();
        assertThat(xml.getElementsByTagName("testcase").getLength()).isEqualTo(2);
        var failure = (Element) xml.getElementsByTagName("failure").item(0);
        assertThat(((Element) failure.getParentNode()).getAttribute("name")).isEqualTo("takes a message and ends the call");
        assertThat(failure.getAttribute("message")).contains("April invoice");
        assertThat(failure.getTextContent()).contains("caller: Yes, that's fine.");
    }

    @Test
    void aChangedPromptMakesTheReplayFailLoudlySayingToReRecord() throws Exception {
        var root = frontDesk();
        edit(root.resolve("flows/front-desk.yaml"), "Be brief and polite.", "Be brief and cheerful.");
        var run = testFlows(noKeys(root, Map.of()), "front-desk");
        assertThat(run.exit()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL  takes a message and ends the call", "FAIL  does not pretend to look anything up")
                .contains(root.resolve("flows/front-desk.test.yaml") + ":8: turn 1 (caller: Hi, this is Sam Lee. Could Dana call me back"
                          + " about the March invoice?): no recorded LLM answer matches this request: the system prompt differs (the flow's"
                          + " or the node's prompt changed, or a {{state.*}} value in it). The prompt or the history changed since the"
                          + " cassette was recorded: re-record it with bin/dialtone test-flows --record front-desk (needs the flow's LLM API key)")
                .contains("0 passed, 2 failed");
    }

    @Test
    void aDraftRunsItsFlowsTestsOnTheDraft() throws Exception {
        var root = frontDesk();
        var draft = root.resolve("flows/front-desk.draft.yaml");
        Files.copy(root.resolve("flows/front-desk.yaml"), draft);
        edit(draft, "Be brief and polite.", "Be brief and cheerful.");
        var live = testFlows(noKeys(root, Map.of()), "front-desk");
        assertThat(live.exit()).as(live.out()).isZero();
        var run = testFlows(noKeys(root, Map.of()), "front-desk.draft");
        assertThat(run.exit()).as("the draft's prompt is not the one recorded").isEqualTo(1);
        assertThat(run.out()).contains(root.resolve("flows/front-desk.test.yaml") + ":8: turn 1").contains("the system prompt differs");
    }

    @Test
    void recordRecordsWithTheFlowsLlmAndTheRecordingReplaysWithout() throws Exception {
        var root = frontDesk();
        var cassette = root.resolve("flows/front-desk.test.cassette.json");
        Files.delete(cassette);
        var without = testFlows(noKeys(root, Map.of()), "--record", "front-desk");
        assertThat(without.exit()).isEqualTo(1);
        assertThat(without.out()).contains("flow front-desk uses openai, whose API key (OPENAI_API_KEY) is not set: --record needs it");
        try (var openAi = FakeOpenAi.start("k")) {
            ShippedCassettes.frontDesk(openAi);
            var recorded = testFlows(noKeys(root, Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", openAi.baseUrl().toString())),
                                     "--record", "front-desk");
            assertThat(recorded.exit()).as(recorded.out()).isZero();
            assertThat(openAi.requests()).as("every answer the script had was asked for").hasSize(6);
        }
        assertThat(Files.readString(cassette)).contains("\"flow\" : \"front-desk\"", "\"id\" : \"call_msg1\"");
        var replayed = testFlows(noKeys(root, Map.of()), "front-desk");
        assertThat(replayed.exit()).as(replayed.out()).isZero();
    }

    @Test
    void mistakesInTheCommandAreNamed() throws Exception {
        var root = frontDesk();
        var unknown = testFlows(noKeys(root, Map.of()), "pizza");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.out()).contains("! no flow named 'pizza' (flows: front-desk)");
        assertThat(testFlows(noKeys(root, Map.of()), "--junti").exit()).isEqualTo(2);
    }

    @Test
    void validateChecksTheTestFilesWithTheFlows() throws Exception {
        var root = frontDesk();
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int ok = FlowCheck.run(root.resolve("flows"), root.resolve("plugins"), Set.of("openai", "deepgram"),
                               Clock.systemUTC(), out, FlowTests.check());
        assertThat(ok).as(bytes.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("OK: 1 flows (front-desk), 1 plugins, 1 flow test file (2 cases)");
        edit(root.resolve("flows/front-desk.test.yaml"), "tool: take_message", "tool: take_mesage");
        bytes.reset();
        int broken = FlowCheck.run(root.resolve("flows"), root.resolve("plugins"), Set.of("openai", "deepgram"),
                                   Clock.systemUTC(), out, FlowTests.check());
        assertThat(broken).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains(root.resolve("flows/front-desk.test.yaml")
                + ":15: expects a call of tool 'take_mesage', which flow front-desk does not use (did you mean 'take_message'?)")
                .contains("1 error, ").contains("(the flows themselves would go live)");
    }
}
