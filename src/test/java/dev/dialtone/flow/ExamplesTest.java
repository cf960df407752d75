package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The example flows and plugins shipped in the repository validate, and agree with flows/flow.schema.json. */
class ExamplesTest {
    static final Path FLOWS = Path.of("flows");
    static final Path PLUGINS = Path.of("plugins");
    /** The day these examples were last brought up to date with the providers' retirements. */
    static final Clock TODAY = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

    static String check(Path flows, Path plugins, Clock clock, int expectedExit) {
        var bytes = new ByteArrayOutputStream();
        int exit = FlowCheck.run(flows, plugins, FlowSetTestBase.ALL_KEYS, clock, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        var printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isEqualTo(expectedExit);
        return printed;
    }

    @Test
    void shippedExamplesValidate() {
        // The only warnings: OpenAI retires gpt-4o-mini on 2027-01-14, and its replacement needs the
        // OpenAI client to speak to reasoning models first (see flows/README.md).
        var deprecated = ": warning: llm model gpt-4o-mini is deprecated: openai retires it on 2027-01-14,"
                + " and calls to this flow will fail from then on; move to gpt-6-luna before then";
        // And Luigi's order webhook is off (a warning) where LUIGIS_WEBHOOK_SECRET is not set, as in CI.
        var webhookOff = System.getenv("LUIGIS_WEBHOOK_SECRET") == null
                ? List.of(FLOWS.resolve("luigis.yaml") + ":71: warning: webhook https://orders.luigis.example/dialtone is disabled:"
                        + " environment variable LUIGIS_WEBHOOK_SECRET is not set")
                : List.<String>of();
        var expected = new ArrayList<>(List.of(FLOWS.resolve("front-desk.yaml") + ":11" + deprecated,
                FLOWS.resolve("luigis.yaml") + ":16" + deprecated));
        expected.addAll(webhookOff);
        expected.add("OK: 3 flows (clinic, front-desk, luigis), 7 plugins, " + (2 + webhookOff.size()) + " warnings");
        assertThat(check(FLOWS, PLUGINS, TODAY, 0).lines()).containsExactlyElementsOf(expected);
        var before = new ArrayList<>(webhookOff);
        before.add("OK: 3 flows (clinic, front-desk, luigis), 7 plugins" + (webhookOff.isEmpty() ? "" : ", 1 warnings"));
        assertThat(check(FLOWS, PLUGINS, Clock.fixed(Instant.parse("2026-10-13T12:00:00Z"), ZoneOffset.UTC), 0).lines())
                .as("before OpenAI's announcement").containsExactlyElementsOf(before);
    }

    @Test
    void validateFlagsTheOldClinicFlowAndPassesTheFixedOne(@TempDir Path root) throws Exception {
        var files = new FlowFiles(root);
        try (var list = Files.list(PLUGINS)) {
            for (var plugin : list.toList()) {
                Files.copy(plugin, files.plugins.resolve(plugin.getFileName()));
            }
        }
        var fixed = Files.readString(FLOWS.resolve("clinic.yaml"));
        var clinic = files.flow("clinic.yaml", fixed);
        assertThat(check(files.flows, files.plugins, TODAY, 0)).isEqualTo("OK: 1 flows (clinic), 7 plugins\n");
        var old = fixed.replace("model: claude-haiku-4-5,", "model: claude-3-5-haiku-latest,");
        assertThat(old).isNotEqualTo(fixed);
        files.flow("clinic.yaml", old);
        assertThat(check(files.flows, files.plugins, TODAY, 1).lines()).containsExactly(
                clinic + ":15: llm model claude-3-5-haiku-latest was retired by anthropic on 2026-02-19 and every request for it fails;"
                        + " use claude-haiku-4-5 instead",
                "1 error, 0 warnings: nothing would go live");
    }

    @Test
    void withoutKeysTheExamplesStillValidateWithWarnings() {
        var bytes = new ByteArrayOutputStream();
        int exit = FlowCheck.run(FLOWS, PLUGINS, Set.of(), TODAY, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        var printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(printed).contains("flows/luigis.yaml:16: warning: llm provider openai has no API key (set OPENAI_API_KEY)");
    }

    @Test
    void brokenFolderExitsNonZeroAndPrintsFileAndLine(@TempDir Path root) {
        var files = new FlowFiles(root);
        var f = files.flow("a.yaml", "name: a\ntools: [nope]\n");
        var bytes = new ByteArrayOutputStream();
        // The epoch: before every announced retirement, so the default model adds no warning here.
        var epoch = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        int exit = FlowCheck.run(files.flows, files.plugins, FlowSetTestBase.ALL_KEYS, epoch, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith(f + ":2: no plugin or built-in tool is called nope")
                .contains("1 error, 0 warnings: nothing would go live");
    }

    @Test
    void examplesAndTheDesignExampleMatchTheJsonSchema() throws Exception {
        var mapper = new ObjectMapper();
        var schema = FlowSchema.factory().getSchema(mapper.readTree(Files.readString(FLOWS.resolve("flow.schema.json"))));
        var testSchema = FlowSchema.factory().getSchema(mapper.readTree(Files.readString(FLOWS.resolve("flow-test.schema.json"))));
        try (var list = Files.list(FLOWS)) {
            for (var file : list.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Object data = new Yaml().load(Files.readString(file));
                // flows/<flow>.test.yaml are the flows' tests, with a schema of their own
                var against = FlowFileNames.isTest(file) ? testSchema : schema;
                assertThat(against.validate(mapper.valueToTree(data))).as(file.toString()).isEmpty();
            }
        }
        Object design = new Yaml().load(ModelTest.DESIGN_EXAMPLE);
        assertThat(schema.validate(mapper.valueToTree(design))).isEmpty();
        Object wrong = new Yaml().load("name: a\npromt: x\nturn: { max_call_s: long }\n");
        assertThat(schema.validate(mapper.valueToTree(wrong))).hasSize(2);
    }

    @Test
    void examplesCarryTheSchemaLine() throws Exception {
        try (var list = Files.list(FLOWS)) {
            for (var file : list.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                var schema = FlowFileNames.isTest(file) ? "flow-test.schema.json" : "flow.schema.json";
                assertThat(Files.readString(file)).as(file.toString()).startsWith("# yaml-language-server: $schema=./" + schema + "\n");
            }
        }
    }
}
