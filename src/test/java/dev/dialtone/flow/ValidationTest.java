package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every validation rule: one failing example each, checking the file, line and reason reported. */
class ValidationTest extends FlowSetTestBase {

    List<Problem> problems(Set<String> keys) {
        return problems(keys, Instant.EPOCH);
    }

    /** Asserts exactly one problem, at this file and line, whose message contains {@code text}. */
    void onlyProblem(Path file, int line, String text) {
        var problems = problems();
        assertThat(problems).as(problems.toString()).hasSize(1);
        var p = problems.getFirst();
        assertThat(p.file()).isEqualTo(file);
        assertThat(p.line()).as(p.toString()).isEqualTo(line);
        assertThat(p.message()).contains(text);
        assertThat(p.isError()).isTrue();
    }

    @Test
    void yamlSyntaxErrorHasItsLine() {
        var f = files.flow("a.yaml", "name: a\nprompt: \"unclosed\ntools: [x\n");
        var problems = problems();
        assertThat(problems).hasSize(1);
        assertThat(problems.getFirst().toString()).startsWith(f + ":").contains("YAML syntax");
        assertThat(problems.getFirst().line()).isBetween(2, 4);
    }

    @Test
    void emptyFileIsRefused() {
        var f = files.flow("a.yaml", "\n");
        onlyProblem(f, 1, "the file is empty");
    }

    @Test
    void unknownKeySuggestsTheClosestOne() {
        var f = files.flow("a.yaml", "name: a\npromt: hello\n");
        onlyProblem(f, 2, "unknown key 'promt' in the flow (did you mean 'prompt'?)");
    }

    @Test
    void unknownNestedKeySuggestsTheClosestOne() {
        var f = files.flow("a.yaml", "name: a\nturn:\n  max_call: 300\n");
        onlyProblem(f, 3, "unknown key 'max_call' in turn (did you mean 'max_call_s'?)");
    }

    @Test
    void wrongTypesAreReported() {
        var f = files.flow("a.yaml", "name: a\nturn:\n  max_call_s: long\n");
        onlyProblem(f, 3, "max_call_s must be a whole number, not text");
        var g = files.flow("a.yaml", "name: a\nnumbers: \"+15550001111\"\n");
        onlyProblem(g, 2, "numbers must be a list, e.g. [a, b], not text");
        files.flow("a.yaml", "name: a\ntools: [end_call]\nllm: { provider: openai, temperature: 5 }\n");
        onlyProblem(g, 3, "temperature must be a number from 0 to 2");
    }

    @Test
    void duplicateKeyIsReported() {
        var f = files.flow("a.yaml", "name: a\nprompt: one\nprompt: two\n");
        onlyProblem(f, 3, "'prompt' appears twice in the flow (first on line 2)");
    }

    @Test
    void missingNameIsReported() {
        var f = files.flow("a.yaml", "prompt: hi\n");
        onlyProblem(f, 1, "name is missing");
    }

    @Test
    void badPhoneNumbersAreReported() {
        var f = files.flow("a.yaml", "name: a\nnumbers:\n  - \"+15550001111\"\n  - \"555-0001\"\n");
        onlyProblem(f, 4, "'555-0001' is not an E.164 number");
        files.flow("a.yaml", "name: a\nnumbers: [+15550001111]\n");
        onlyProblem(f, 2, "must be quoted, or YAML reads it as a number: \"+15550001111\"");
    }

    @Test
    void numberClaimedByTwoFlowsIsReportedAtTheSecondClaim() {
        var a = files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\n");
        var b = files.flow("b.yaml", "name: b\nnumbers:\n  - \"+15550002222\"\n  - \"+15550001111\"\n");
        onlyProblem(b, 4, "number +15550001111 is already claimed by flow a (" + a + ":2)");
    }

    @Test
    void moreThanOneDefaultIsReported() {
        var a = files.flow("a.yaml", "name: a\ndefault: true\n");
        var b = files.flow("b.yaml", "name: b\nprompt: hi\ndefault: true\n");
        onlyProblem(b, 3, "more than one default flow: a (" + a + ":2) is default too");
    }

    @Test
    void sameFlowNameTwiceIsReported() {
        files.flow("a.yaml", "name: shop\n");
        var b = files.flow("b.yaml", "# copy\nname: shop\n");
        onlyProblem(b, 2, "flow name 'shop' is already used by");
    }

    @Test
    void nextToAMissingNodeIsReported() {
        var f = files.flow("a.yaml", """
                name: a
                nodes:
                  greet:
                    next:
                      goodby: "done"
                  goodbye:
                    end: true
                """);
        var problems = problems();
        assertThat(problems).extracting(Problem::line).contains(5);
        assertThat(problems.stream().filter(p -> p.line() == 5).findFirst().orElseThrow().message())
                .isEqualTo("node greet has next 'goodby', which is not a node (did you mean 'goodbye'?)");
        assertThat(problems).allMatch(p -> p.file().equals(f));
    }

    @Test
    void unreachableNodeIsReported() {
        var f = files.flow("a.yaml", """
                name: a
                start: greet
                nodes:
                  greet:
                    next: { goodbye: "done" }
                  goodbye:
                    end: true
                  orphan:
                    prompt: nobody comes here
                """);
        onlyProblem(f, 8, "node orphan cannot be reached from start node greet");
    }

    @Test
    void dtmfRouteMakesANodeReachable() {
        files.flow("a.yaml", """
                name: a
                nodes:
                  greet: { prompt: hi }
                  operator: { prompt: help }
                dtmf:
                  "0": { node: operator }
                  "#": { hangup: true }
                """);
        assertThat(problems()).isEmpty();
    }

    @Test
    void missingStartNodeIsReported() {
        var f = files.flow("a.yaml", "name: a\nstart: welcome\nnodes:\n  welcom: { prompt: hi }\n");
        onlyProblem(f, 2, "start node 'welcome' does not exist (did you mean 'welcom'?)");
    }

    @Test
    void endNodeWithTransitionsIsReported() {
        var f = files.flow("a.yaml", "name: a\nnodes:\n  a1:\n    end: true\n    next: { a1: again }\n");
        onlyProblem(f, 3, "node a1 has end: true and next transitions");
    }

    @Test
    void toolThatNothingProvidesIsReported() {
        files.plugin("menu_price", FlowFiles.simplePlugin("1"));
        var f = files.flow("a.yaml", "name: a\ntools:\n  - end_call\n  - menu_prices\n");
        onlyProblem(f, 4, "no plugin or built-in tool is called menu_prices (add plugins/menu_prices.js) (did you mean 'menu_price'?)");
    }

    @Test
    void nodeToolThatNothingProvidesIsReported() {
        var f = files.flow("a.yaml", "name: a\nnodes:\n  n:\n    tools: [book]\n");
        onlyProblem(f, 4, "no plugin or built-in tool is called book");
    }

    @Test
    void toolFromABrokenPluginPointsAtThePlugin() {
        var plugin = files.plugin("menu_price", "export default {\n  description: 'x',\n  run(a { }\n};\n");
        var f = files.flow("a.yaml", "name: a\ntools: [menu_price]\n");
        var problems = problems();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0).file()).isEqualTo(f);
        assertThat(problems.get(0).line()).isEqualTo(2);
        assertThat(problems.get(0).message()).contains("comes from a plugin that failed to load (" + plugin + ":3:");
        assertThat(problems.get(1).toString()).startsWith(plugin + ":3: plugin menu_price syntax error");
    }

    @Test
    void transferCallNeedsANumber() {
        var f = files.flow("a.yaml", "name: a\ntools: [transfer_call]\n");
        onlyProblem(f, 2, "transfer_call needs a transfer_to number");
    }

    @Test
    void unknownProviderIsReported() {
        var f = files.flow("a.yaml", "name: a\nllm:\n  provider: openia\n  model: gpt-4o\n");
        onlyProblem(f, 3, "unknown llm provider 'openia' (known: anthropic, openai) (did you mean 'openai'?)");
        // No "missing key" warning for a provider that is already an error.
        assertThat(problems(Set.of("deepgram"))).extracting(Problem::message).noneMatch(m -> m.contains("has no API key") && m.startsWith("llm"));
    }

    @Test
    void providerSettingOfAnotherProviderIsReported() {
        var f = files.flow("a.yaml", "name: a\ntts:\n  provider: deepgram\n  stability: 0.5\n");
        onlyProblem(f, 4, "stability is a setting of elevenlabs, not of tts provider deepgram");
    }

    @Test
    void unknownPlaceholderIsReportedAtItsLineInABlock() {
        var f = files.flow("a.yaml", "name: a\nprompt: |\n  Hello.\n  The caller is {{call.form}}.\n");
        onlyProblem(f, 4, "unknown placeholder {{call.form}} in prompt");
    }

    @Test
    void badDtmfEntriesAreReported() {
        var f = files.flow("a.yaml", "name: a\nnodes:\n  n: { prompt: x }\ndtmf:\n  \"5\": { node: m }\n  \"x\": hangup\n");
        var problems = problems();
        assertThat(problems).extracting(Problem::toString).containsExactly(
                f + ":5: dtmf 5 goes to node 'm', which does not exist (did you mean 'n'?)",
                f + ":6: dtmf key 'x' is not a phone key (0-9, * or #)");
    }

    @Test
    void badTimezoneIsReported() {
        var f = files.flow("a.yaml", "name: a\ntimezone: Mars/Olympus\n");
        onlyProblem(f, 2, "timezone 'Mars/Olympus' is not a time zone name");
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnce() {
        var f = files.flow("a.yaml", """
                name: a
                numbers: ["12"]
                colour: blue
                turn: { min_interrupt_words: 0 }
                tools: [nope]
                """);
        assertThat(problems()).extracting(Problem::line).containsExactly(2, 3, 4, 5);
        assertThat(problems()).allMatch(p -> p.file().equals(f) && p.isError());
    }

    @Test
    void missingApiKeyIsAWarningAndTheFlowStillLoads() {
        var f = files.flow("a.yaml", "name: a\nllm:\n  provider: anthropic\n");
        var loaded = FlowSetLoader.load(files.flows, files.plugins, runtime, Set.of("deepgram", "openai"), Map.of(), Map.of(), Instant.EPOCH);
        assertThat(loaded.ok()).isTrue();
        assertThat(loaded.versions()).containsKey("a");
        assertThat(loaded.problems()).extracting(Problem::toString).containsExactly(
                f + ":3: warning: llm provider anthropic has no API key (set ANTHROPIC_API_KEY); calls to this flow will fail until it is set");
    }

    @Test
    void pluginNamedLikeABuiltinIsRefused() {
        var p = files.plugin("end_call", FlowFiles.simplePlugin("1"));
        onlyProblem(p, 1, "has the name of a built-in tool");
    }
}
