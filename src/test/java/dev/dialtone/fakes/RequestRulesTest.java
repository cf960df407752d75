package dev.dialtone.fakes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/**
 * The fake LLM servers refuse what the real APIs refuse, with their status and error shape; each
 * case is the smallest request that breaks one rule, beside one that keeps it.
 */
class RequestRulesTest {

    @Test
    void openAiTakesAValidHistoryWithParallelToolCallsAnsweredInOrder() {
        assertThat(OpenAiRequestRules.check(json("""
                {"model":"gpt-4o-mini","temperature":0.3,"max_tokens":100,"messages":[
                 {"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},
                   {"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"a","content":"1"},{"role":"tool","tool_call_id":"b","content":"2"},
                 {"role":"user","content":"Thanks"}]}"""))).isEmpty();
    }

    @Test
    void openAiRefusesAToolCallWithoutItsResult() {
        var refusal = OpenAiRequestRules.check(json("""
                {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"},
                 {"role":"assistant","content":"","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"user","content":"Hello?"}]}""")).orElseThrow();
        assertThat(refusal.status()).isEqualTo(400);
        assertThat(json(refusal.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(refusal.body()).contains("must be followed by tool messages responding to each 'tool_call_id'", "a");
    }

    @Test
    void openAiRefusesAnOrphanToolResult() {
        assertThat(OpenAiRequestRules.check(json("""
                {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"a","content":"1"}]}""")))
                .get().satisfies(r -> assertThat(r.body()).contains("must be a response to a preceeding message with 'tool_calls'"));
    }

    @Test
    void openAiRefusesAnEmptyAssistantMessageAndATemperatureAboveTwo() {
        assertThat(OpenAiRequestRules.check(json("""
                {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":""},
                 {"role":"user","content":"Hi"}]}"""))).isPresent();
        assertThat(OpenAiRequestRules.check(json("""
                {"model":"gpt-4o-mini","temperature":2.5,"messages":[{"role":"user","content":"Hi"}]}""")))
                .get().satisfies(r -> assertThat(r.body()).contains("Expected a value <= 2"));
    }

    @Test
    void openAiReasoningModelsRefuseMaxTokensButTakeMaxCompletionTokens() {
        assertThat(OpenAiRequestRules.check(json("""
                {"model":"o4-mini","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""")))
                .get().satisfies(r -> assertThat(r.body()).contains("Use 'max_completion_tokens' instead", "unsupported_parameter"));
        assertThat(OpenAiRequestRules.check(json("""
                {"model":"o4-mini","max_completion_tokens":100,"messages":[{"role":"user","content":"Hi"}]}"""))).isEmpty();
    }

    @Test
    void openAiAnswersRetiredAndUnknownModelsWith404() {
        for (var model : new String[] {"gpt-4.5-preview", "gpt-4-32k", "gtp-4o"}) {
            assertThat(OpenAiRequestRules.check(json("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")))
                    .get().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(404);
                        assertThat(json(r.body()).path("error").path("code").asText()).isEqualTo("model_not_found");
                    });
        }
    }

    @Test
    void anthropicTakesToolResultsFirstInTheUserMessageThatAlsoCarriesTheCallersWords() {
        assertThat(AnthropicRequestRules.check(json("""
                {"model":"claude-haiku-4-5","max_tokens":100,"temperature":1.0,"messages":[
                 {"role":"user","content":[{"type":"text","text":"Hi"}]},
                 {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"1"},{"type":"text","text":"And?"}]}]}""")))
                .isEmpty();
    }

    @Test
    void anthropicRefusesAnEmptyAssistantMessageBeforeTheEnd() {
        var refusal = AnthropicRequestRules.check(json("""
                {"model":"claude-haiku-4-5","max_tokens":100,"messages":[{"role":"user","content":"Hi"},
                 {"role":"assistant","content":[]},{"role":"user","content":"Hello?"}]}""")).orElseThrow();
        assertThat(refusal.status()).isEqualTo(400);
        assertThat(json(refusal.body()).path("type").asText()).isEqualTo("error");
        assertThat(json(refusal.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(refusal.body()).contains("all messages must have non-empty content");
    }

    @Test
    void anthropicRefusesUnansweredToolUseOrphanResultsRoleOrderAndItsTemperatureRange() {
        var unanswered = """
                {"model":"claude-haiku-4-5","max_tokens":100,"messages":[{"role":"user","content":"Hi"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},
                 {"role":"user","content":"Hello?"}]}""";
        assertThat(AnthropicRequestRules.check(json(unanswered))).get()
                .satisfies(r -> assertThat(r.body()).contains("`tool_use` ids were found without `tool_result` blocks"));
        var orphan = """
                {"model":"claude-haiku-4-5","max_tokens":100,"messages":[
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"1"}]}]}""";
        assertThat(AnthropicRequestRules.check(json(orphan))).get()
                .satisfies(r -> assertThat(r.body()).contains("unexpected `tool_use_id`"));
        var assistantFirst = """
                {"model":"claude-haiku-4-5","max_tokens":100,"messages":[{"role":"assistant","content":"Hi"},
                 {"role":"user","content":"Hi"}]}""";
        assertThat(AnthropicRequestRules.check(json(assistantFirst))).isPresent();
        var hot = """
                {"model":"claude-haiku-4-5","max_tokens":100,"temperature":1.2,"messages":[{"role":"user","content":"Hi"}]}""";
        assertThat(AnthropicRequestRules.check(json(hot))).get()
                .satisfies(r -> assertThat(r.body()).contains("temperature: range: 0..1"));
    }

    @Test
    void anthropicAnswersRetiredModelsWithNotFound() {
        assertThat(AnthropicRequestRules.check(json("""
                {"model":"claude-3-5-haiku-latest","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}""")))
                .get().satisfies(r -> {
                    assertThat(r.status()).isEqualTo(404);
                    assertThat(json(r.body()).path("error").path("type").asText()).isEqualTo("not_found_error");
                });
    }

    private static JsonNode json(String text) {
        try {
            return FakeLlmServer.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
