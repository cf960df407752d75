package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Settings whose accepted range differs by provider are checked against that provider's API, with
 * the file and line, by the JSON Schema the validator and editors share; and the validator judges
 * the default model the conversation really uses.
 */
class ProviderRulesTest extends FlowSetTestBase {

    Path llm(String provider, String setting) {
        return files.flow("a.yaml", "name: a\nllm:\n  provider: " + provider + "\n  " + setting + "\n");
    }

    @Test
    void anthropicTemperatureAboveOneIsRefusedAtItsLine() {
        var f = llm("anthropic", "temperature: 1.5");
        assertThat(problems()).extracting(Problem::toString)
                .containsExactly(f + ":4: anthropic temperature must be a number from 0 to 1");
        assertThat(problems().getFirst().isError()).isTrue();
    }

    @Test
    void openAiTemperatureUpToTwoIsAcceptedAndAboveIsRefused() {
        llm("openai", "temperature: 1.5");
        assertThat(problems()).isEmpty();
        var f = llm("openai", "temperature: 2.5");
        assertThat(problems()).extracting(Problem::toString)
                .containsExactly(f + ":4: openai temperature must be a number from 0 to 2");
    }

    @Test
    void eachProviderAcceptsItsOwnBoundsAndRefusesBelowZero() {
        llm("anthropic", "temperature: 1");
        assertThat(problems()).isEmpty();
        llm("openai", "temperature: 2");
        assertThat(problems()).isEmpty();
        var f = llm("anthropic", "temperature: -0.1");
        assertThat(problems()).extracting(Problem::toString)
                .containsExactly(f + ":4: anthropic temperature must be a number from 0 to 1");
    }

    @Test
    void aReasoningModelTakesNoTemperatureButOne() {
        var f = files.flow("a.yaml", "name: a\nllm:\n  provider: openai\n  model: o4-mini\n  temperature: 0.3\n");
        assertThat(problems()).extracting(Problem::toString).containsExactly(f + ":5: openai model o4-mini is a reasoning "
                + "model: its API refuses any temperature but 1; leave temperature out");
        files.flow("a.yaml", "name: a\nllm:\n  provider: openai\n  model: gpt-5-chat-latest\n  temperature: 0.3\n");
        assertThat(problems()).isEmpty();
        files.flow("a.yaml", "name: a\nllm:\n  provider: openai\n  model: o4-mini\n");
        assertThat(problems()).isEmpty();
    }

    @Test
    void temperatureWrittenBeforeTheProviderIsStillJudgedByIt() {
        var f = files.flow("a.yaml", "name: a\nllm: { temperature: 1.2, provider: anthropic }\n");
        assertThat(problems()).extracting(Problem::toString)
                .containsExactly(f + ":2: anthropic temperature must be a number from 0 to 1");
    }

    @Test
    void maxTokensBelowOneIsRefusedForEveryProvider() {
        for (var provider : List.of("openai", "anthropic")) {
            var f = llm(provider, "max_tokens: 0");
            assertThat(problems()).extracting(Problem::toString)
                    .as(provider).containsExactly(f + ":4: llm max_tokens must be a whole number from 1 to 32000");
        }
    }

    @Test
    void schemaKnowsTheAnthropicTemperatureRange() throws Exception {
        var mapper = new ObjectMapper();
        JsonSchema schema = FlowSchema.factory().getSchema(mapper.readTree(Files.readString(ExamplesTest.FLOWS.resolve("flow.schema.json"))));
        var yaml = new Yaml();
        assertThat(schema.validate(mapper.valueToTree(yaml.load("name: a\nllm: { provider: anthropic, temperature: 1.5 }\n"))))
                .hasSize(1);
        assertThat(schema.validate(mapper.valueToTree(yaml.load("name: a\nllm: { provider: anthropic, temperature: 0.7 }\n"))))
                .isEmpty();
        assertThat(schema.validate(mapper.valueToTree(yaml.load("name: a\nllm: { provider: openai, temperature: 1.5 }\n"))))
                .isEmpty();
        assertThat(schema.validate(mapper.valueToTree(yaml.load("name: a\nllm: { provider: openai, temperature: 2.5 }\n"))))
                .hasSize(1);
    }

    @Test
    void theDefaultModelsAreCurrentAndTheParsersDefaultIsOpenAisDefault() {
        assertThat(ProviderCatalog.defaultModel("anthropic")).isEqualTo("claude-haiku-4-5");
        assertThat(FlowParser.DEFAULT_PROVIDERS.get("llm").model()).contains(ProviderCatalog.defaultModel("openai"));
    }
}
