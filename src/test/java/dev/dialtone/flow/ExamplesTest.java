package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The example flows and plugins shipped in the repository validate, and agree with flows/flow.schema.json. */
class ExamplesTest {
    static final Path FLOWS = Path.of("flows");
    static final Path PLUGINS = Path.of("plugins");

    @Test
    void shippedExamplesValidate() {
        var bytes = new ByteArrayOutputStream();
        int exit = FlowCheck.run(FLOWS, PLUGINS, ValidationTest.ALL_KEYS, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        var printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("OK: 3 flows (clinic, front-desk, luigis), 7 plugins");
    }

    @Test
    void withoutKeysTheExamplesStillValidateWithWarnings() {
        var bytes = new ByteArrayOutputStream();
        int exit = FlowCheck.run(FLOWS, PLUGINS, Set.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        var printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(printed).contains("flows/luigis.yaml:16: warning: llm provider openai has no API key (set OPENAI_API_KEY)");
    }

    @Test
    void brokenFolderExitsNonZeroAndPrintsFileAndLine(@org.junit.jupiter.api.io.TempDir Path root) {
        var files = new FlowFiles(root);
        var f = files.flow("a.yaml", "name: a\ntools: [nope]\n");
        var bytes = new ByteArrayOutputStream();
        int exit = FlowCheck.run(files.flows, files.plugins, ValidationTest.ALL_KEYS, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith(f + ":2: no plugin or built-in tool is called nope")
                .contains("1 error, 0 warnings: nothing would go live");
    }

    @Test
    void examplesAndTheDesignExampleMatchTheJsonSchema() throws Exception {
        var mapper = new ObjectMapper();
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(mapper.readTree(Files.readString(FLOWS.resolve("flow.schema.json"))));
        try (var list = Files.list(FLOWS)) {
            for (var file : list.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Object data = new Yaml().load(Files.readString(file));
                assertThat(schema.validate(mapper.valueToTree(data))).as(file.toString()).isEmpty();
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
                assertThat(Files.readString(file)).as(file.toString()).startsWith("# yaml-language-server: $schema=./flow.schema.json\n");
            }
        }
    }
}
