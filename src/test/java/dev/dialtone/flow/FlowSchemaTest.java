package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Flow files are checked against flows/flow.schema.json, and what the validator finds is reported
 * in the project's words at the file and line of the value or key it is about; the schema the
 * server uses is the file editors use.
 */
class FlowSchemaTest extends FlowSetTestBase {

    List<String> problemLines() {
        return problems().stream().map(Problem::toString).toList();
    }

    @Test
    void rulesOnlyTheSchemaStatesAreReportedAtTheirLines() {
        // The Java parser never checked a tool's spelling, a range by the schema alone, or a duplicate number's line.
        var f = files.flow("a.yaml", """
                name: a
                numbers:
                  - "+15550001111"
                  - "+15550001111"
                tools:
                  - end_call
                  - Menu-Price
                stt: { provider: deepgram, endpointing: 5 }
                turn: { interruptions: "no" }
                """);
        assertThat(problemLines()).containsExactly(
                f + ":4: '+15550001111' is listed twice in numbers (first on line 3)",
                f + ":7: a tool name 'Menu-Price' must be lower_snake_case, like a plugin's file name (plugins/NAME.js)",
                f + ":8: stt endpointing must be a whole number from 10 to 10000",
                f + ":9: interruptions must be true or false, not text");
    }

    @Test
    void anErrorInsideANestedNodeReportsTheNestedLine() {
        var f = files.flow("a.yaml", """
                name: a
                nodes:
                  greet:
                    prompt: hi
                    next:
                      bye:
                        - not a condition
                  bye:
                    say: bye
                    end: "yes"
                    tools:
                      - end_call
                      - 7
                dtmf: { "1": { node: bye } }
                """);
        assertThat(problemLines()).containsExactly(
                f + ":7: the condition of node greet -> bye must be text, not a list",
                f + ":10: node bye end must be true or false, not text",
                f + ":13: a tool name must be quoted, or YAML reads it as a number: \"7\"");
    }

    @Test
    void everyProblemOfAFileIsReportedSchemaAndSemanticTogether() {
        var f = files.flow("a.yaml", """
                name: Shop
                greeting: "Hi {{caller}}"
                llm:
                  provider: anthropic
                  temperature: 1.5
                tts: { provider: deepgram, style: 0.3 }
                turn:
                  max_call: 60
                nodes:
                  start_here: { prompt: hi }
                  lost: { prompt: nobody comes here }
                dtmf:
                  "1": { node: start_here, transfer: "+15550009999" }
                  "2": { node: nowhere }
                """);
        assertThat(problemLines()).containsExactly(
                f + ":1: name 'Shop' must be lower case letters, digits, - or _ (it appears in URLs and metrics)",
                f + ":2: unknown placeholder {{caller}} in greeting (use {{call.from}}, {{call.to}}, {{state.NAME}} or {{now}})",
                f + ":5: anthropic temperature must be a number from 0 to 1",
                f + ":6: tts style is a setting of elevenlabs, not of tts provider deepgram",
                f + ":8: unknown key 'max_call' in turn (did you mean 'max_call_s'?)",
                f + ":11: node lost cannot be reached from start node start_here (no next transition or dtmf route leads to it)",
                f + ":13: dtmf 1 needs exactly one of node, transfer or hangup",
                f + ":14: dtmf 2 goes to node 'nowhere', which does not exist");
    }

    @Test
    void aValueOfTheWrongTypeGetsOneProblemAndIsNotUsedFurther() {
        // Not also "unknown tts provider '5'", and no missing-key warning for a provider nobody named.
        var f = files.flow("a.yaml", "name: a\ntts: { provider: 5 }\n");
        assertThat(FlowSetLoader.load(files.flows, files.plugins, runtime, Set.of("deepgram", "openai"), Map.of(), Map.of(), Instant.EPOCH)
                .problems()).extracting(Problem::toString)
                .containsExactly(f + ":2: tts provider must be quoted, or YAML reads it as a number: \"5\"");
        var g = files.flow("a.yaml", "name: a\nturn: { max_call_s: \"900\" }\n");
        assertThat(problemLines()).containsExactly(g + ":2: max_call_s must be a whole number, not text");
    }

    @Test
    void keysThatJsonCannotHoldAreReportedByTheYamlReading() {
        var f = files.flow("a.yaml", "name: a\n? [x]\n: y\nturn:\n  ~: 1\n  max_call_s: 60\n  max_call_s: 90\n");
        assertThat(problemLines()).containsExactly(
                f + ":2: keys in the flow must be plain words",
                f + ":5: keys in turn must be plain words",
                f + ":7: 'max_call_s' appears twice in turn (first on line 6)");
    }

    @Test
    void theServerValidatesWithTheFileEditorsUse() throws Exception {
        try (var packaged = FlowSchema.class.getResourceAsStream(FlowSchema.RESOURCE)) {
            assertThat(packaged).as("copied by the build next to FlowSchema").isNotNull();
            assertThat(new String(packaged.readAllBytes())).isEqualTo(Files.readString(ExamplesTest.FLOWS.resolve("flow.schema.json")));
        }
    }

    /** What may appear in a subschema: rules worded by SchemaMessages, and the keywords that only hold or describe subschemas. */
    static final Set<String> STRUCTURE = Set.of("properties", "items", "additionalProperties", "propertyNames", "allOf", "if",
            "then", "else", "not", "$ref", "definitions", "$schema", "$id", "$comment", "title", "description");

    @Test
    void everyRuleInTheSchemaHasWordsInTheProjectsStyle() {
        var keywords = new TreeSet<String>();
        var patterns = new ArrayList<JsonNode>();
        subschemas(FlowSchema.json(), s -> {
            s.fieldNames().forEachRemaining(keywords::add);
            if (s.has("pattern")) {
                patterns.add(s);
            }
        });
        keywords.removeAll(STRUCTURE);
        keywords.removeAll(FlowSchema.MESSAGE_KEYWORDS);
        assertThat(SchemaMessages.WORDED).as("a rule SchemaMessages does not word would print the validator's own English")
                .containsAll(keywords);
        assertThat(patterns).isNotEmpty().allSatisfy(s -> assertThat(s.has("patternErrorMessage")).as(s.toString()).isTrue());
    }

    @Test
    void theFlowTestFilesSchemaIsWordedTheSameWayAndPackagedForTheServer() throws Exception {
        var text = Files.readString(ExamplesTest.FLOWS.resolve("flow-test.schema.json"));
        var keywords = new TreeSet<String>();
        var patterns = new ArrayList<JsonNode>();
        subschemas(new ObjectMapper().readTree(text), s -> {
            s.fieldNames().forEachRemaining(keywords::add);
            if (s.has("pattern")) {
                patterns.add(s);
            }
        });
        keywords.removeAll(STRUCTURE);
        keywords.removeAll(FlowSchema.MESSAGE_KEYWORDS);
        assertThat(SchemaMessages.WORDED).as("flow tests are checked with the flows' wording (flowtest.TestFileParser)")
                .containsAll(keywords);
        assertThat(patterns).isNotEmpty().allSatisfy(s -> assertThat(s.has("patternErrorMessage")).as(s.toString()).isTrue());
        try (var packaged = getClass().getResourceAsStream("/dev/dialtone/flowtest/flow-test.schema.json")) {
            assertThat(packaged).as("copied by the build next to TestFileParser").isNotNull();
            assertThat(new String(packaged.readAllBytes())).isEqualTo(text);
        }
    }

    @Test
    void theCatalogKnowsEveryProviderTheSchemaNames() {
        for (var block : List.of("stt", "llm", "tts")) {
            assertThat(ProviderCatalog.KEY_VARIABLES).as(block).containsKeys(FlowSchema.providers(block).toArray(String[]::new));
        }
        assertThat(ProviderCatalog.DEFAULT_MODELS.keySet()).containsExactlyInAnyOrderElementsOf(FlowSchema.providers("llm"));
        assertThat(ProviderCatalog.DEFAULT_VOICES.keySet()).containsExactlyInAnyOrderElementsOf(FlowSchema.providers("tts"));
        // Every llm provider bounds the temperature on both sides, so no temperature goes unchecked.
        var bounded = new ArrayList<String>();
        FlowSchema.json().at("/properties/llm/allOf").forEach(branch -> {
            var range = branch.at("/then/properties/temperature");
            if (range.has("minimum") && range.has("maximum")) {
                bounded.add(branch.at("/if/properties/provider/const").asText());
            }
        });
        assertThat(bounded).containsExactlyInAnyOrderElementsOf(FlowSchema.providers("llm"));
    }

    /** Calls {@code visit} on {@code schema} and on each schema inside it. */
    static void subschemas(JsonNode schema, Consumer<JsonNode> visit) {
        if (!schema.isObject()) {
            return;
        }
        visit.accept(schema);
        for (var holder : List.of("properties", "definitions")) {
            schema.path(holder).forEach(s -> subschemas(s, visit));
        }
        for (var single : List.of("items", "additionalProperties", "propertyNames", "if", "then", "else", "not")) {
            subschemas(schema.path(single), visit);
        }
        schema.path("allOf").forEach(s -> subschemas(s, visit));
    }
}
