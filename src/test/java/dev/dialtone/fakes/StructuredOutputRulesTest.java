package dev.dialtone.fakes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** Structured-output requests the fake LLMs take and refuse, as OpenAI's and Anthropic's APIs do. */
class StructuredOutputRulesTest {
    private static final String USER = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
    private static final String STRICT = """
            {"type":"object","additionalProperties":false,"required":["booked"],"properties":{"booked":{"type":"boolean"}}}""";

    @Test
    void openAiTakesAStrictSchemaThatClosesAndRequiresEveryObject() {
        assertThat(OpenAiRequestRules.check(json("{\"model\":\"gpt-4o-mini\"," + USER + ",\"response_format\":{\"type\":"
                + "\"json_schema\",\"json_schema\":{\"name\":\"call_analysis\",\"strict\":true,\"schema\":" + STRICT + "}}}"))).isEmpty();
    }

    @Test
    void openAiRefusesAStrictSchemaLeftOpenOrWithAPropertyNotRequired() {
        var open = OpenAiRequestRules.check(json("{\"model\":\"gpt-4o-mini\"," + USER + ",\"response_format\":{\"type\":"
                + "\"json_schema\",\"json_schema\":{\"name\":\"a\",\"strict\":true,\"schema\":{\"type\":\"object\","
                + "\"properties\":{\"x\":{\"type\":\"string\"}},\"required\":[\"x\"]}}}}")).orElseThrow();
        assertThat(open.status()).isEqualTo(400);
        assertThat(json(open.body()).path("error").path("code").asText()).isEqualTo("invalid_json_schema");
        assertThat(open.body()).contains("'additionalProperties' is required to be supplied and to be false");

        var optional = OpenAiRequestRules.check(json("{\"model\":\"gpt-4o-mini\"," + USER + ",\"response_format\":{\"type\":"
                + "\"json_schema\",\"json_schema\":{\"name\":\"a\",\"strict\":true,\"schema\":{\"type\":\"object\","
                + "\"additionalProperties\":false,\"properties\":{\"x\":{\"type\":\"string\"}}}}}}")).orElseThrow();
        assertThat(optional.body()).contains("Missing 'x'");

        // the same schema without strict is taken: the answer is then only best effort
        assertThat(OpenAiRequestRules.check(json("{\"model\":\"gpt-4o-mini\"," + USER + ",\"response_format\":{\"type\":"
                + "\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}}"))).isEmpty();
    }

    @Test
    void openAiRefusesAFormatWithoutANameOrOfAnUnknownType() {
        assertThat(OpenAiRequestRules.check(json("{\"model\":\"gpt-4o-mini\"," + USER
                + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}}")).orElseThrow().body())
                .contains("Missing required parameter: 'response_format.json_schema.name'");
        assertThat(OpenAiRequestRules.check(json("{\"model\":\"gpt-4o-mini\"," + USER
                + ",\"response_format\":{\"type\":\"yaml\"}}")).orElseThrow().body()).contains("Supported values are");
    }

    @Test
    void anthropicTakesAToolForcedByName() {
        assertThat(AnthropicRequestRules.check(json("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100," + USER
                + ",\"tools\":[{\"name\":\"call_analysis\",\"input_schema\":" + STRICT + "}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"call_analysis\"}}"))).isEmpty();
    }

    @Test
    void anthropicRefusesAForcedToolItWasNotGivenAToolChoiceWithoutToolsAndASchemaNotOfAnObject() {
        assertThat(AnthropicRequestRules.check(json("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100," + USER
                + ",\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"b\"}}")).orElseThrow().body()).contains("tool_choice.name");
        assertThat(AnthropicRequestRules.check(json("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100," + USER
                + ",\"tool_choice\":{\"type\":\"any\"}}")).orElseThrow().body()).contains("only be specified while providing tools");
        assertThat(AnthropicRequestRules.check(json("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100," + USER
                + ",\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"array\"}}]}")).orElseThrow().body())
                .contains("tools.0.custom.input_schema.type: Input should be 'object'");
    }

    private static JsonNode json(String text) {
        try {
            return FakeLlmServer.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
