package dev.dialtone.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.dialtone.fakes.FakeAnthropic;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.fakes.FakeServerFault;
import dev.dialtone.flow.AnalysisSpec;
import dev.dialtone.flow.ProviderBlock;
import dev.dialtone.flow.Redaction;
import dev.dialtone.llm.anthropic.AnthropicChatModel;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.store.AnalysisRecord;

/**
 * A post-call analysis over the real LLM clients and the fake APIs: the structured-output request
 * each API takes, the answer checked against the flow's schema, failures kept as such, and the
 * transcript sent with what the flow redacts masked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallAnalysisTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private static final String STRICT = """
            {"type":"object","additionalProperties":false,"required":["booked","party"],
             "properties":{"booked":{"type":"boolean"},"party":{"type":"integer","minimum":1}}}""";
    private static final String LOOSE = """
            {"type":"object","required":["booked"],"properties":{"booked":{"type":"boolean"},"notes":{"type":"string"}}}""";
    private static final AnalysisInput INPUT = new AnalysisInput("CA-an", "luigis", "v7", "+15551230000", "+15550001111", T0,
            Optional.of("caller hung up"), Map.of("account", "****5678"), List.of(
                    new AnalysisInput.Line("", "Luigi's, how can I help?"),
                    new AnalysisInput.Line("A table for four at eight, card 4111 1111 1111 1111", "Booked for four at eight.")));

    private FakeLlmServer openAi;
    private FakeLlmServer claude;
    private final CallAnalysis analysis = new CallAnalysis(Clock.fixed(T0.plusSeconds(90), ZoneOffset.UTC), Duration.ofSeconds(5), 60_000, 1000, new SimpleMeterRegistry());

    @BeforeAll
    void start() {
        openAi = FakeOpenAi.start("sk-test");
        claude = FakeAnthropic.start("ak-test");
    }

    @AfterAll
    void stop() {
        openAi.close();
        claude.close();
    }

    @Test
    void openAiGetsAStrictJsonSchemaAndAFittingAnswerIsDoneWithItsFields() throws Exception {
        openAi.enqueue(FakeLlmServer.Reply.structured("{\"booked\":true,\"party\":4}"));

        var result = analysis.run(INPUT, spec(STRICT, "openai"), openAiModel(), Redaction.STANDARD);

        assertThat(result.status()).isEqualTo(AnalysisRecord.Status.DONE);
        assertThat(result.resultJson()).contains("{\"booked\":true,\"party\":4}");
        assertThat(result.fields()).isEqualTo(Map.of("booked", "true", "party", "4"));
        assertThat(result.analyzedAt()).isEqualTo(T0.plusSeconds(90));
        var body = openAi.awaitRequest(1000).body();
        var format = body.path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asText()).isEqualTo("call_analysis");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
        var sent = body.path("messages").toString();
        assertThat(sent).contains("Caller: A table for four at eight, card ****1111", "account: ****5678", "Did they book?")
                        .doesNotContain("4111 1111");
    }

    @Test
    void aSchemaStrictModeCannotTakeIsSentNonStrictAndAnAnswerOutsideItIsKeptAsInvalid() throws Exception {
        openAi.enqueue(FakeLlmServer.Reply.structured("{\"notes\":\"they did not say\"}"));

        var result = analysis.run(INPUT, spec(LOOSE, "openai"), openAiModel(), Redaction.NONE);

        assertThat(openAi.awaitRequest(1000).body().path("response_format").path("json_schema").path("strict").asBoolean()).isFalse();
        assertThat(openAi.refusals()).isEmpty();
        assertThat(result.status()).isEqualTo(AnalysisRecord.Status.INVALID);
        assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).contains("booked"));
        assertThat(result.resultJson()).contains("{\"notes\":\"they did not say\"}");
        assertThat(result.fields()).isEmpty();
    }

    @Test
    void anthropicIsForcedToAnswerThroughTheAnalysisTool() throws Exception {
        claude.enqueue(FakeLlmServer.Reply.structured("{\"booked\":false,\"party\":2}"));

        var result = analysis.run(INPUT, spec(STRICT, "anthropic"), new AnthropicChatModel(claude.baseUrl(), "ak-test",
                Duration.ofSeconds(2), Duration.ofSeconds(5)), Redaction.STANDARD);

        assertThat(result.status()).isEqualTo(AnalysisRecord.Status.DONE);
        assertThat(result.fields()).isEqualTo(Map.of("booked", "false", "party", "2"));
        var body = claude.awaitRequest(1000).body();
        assertThat(body.path("tool_choice").toString()).isEqualTo("{\"type\":\"tool\",\"name\":\"call_analysis\"}");
        assertThat(body.path("tools").get(0).path("input_schema").path("required").toString()).isEqualTo("[\"booked\",\"party\"]");
        assertThat(claude.refusals()).isEmpty();
    }

    @Test
    void aProviderFailureIsAFailedAnalysisWithItsReason() throws Exception {
        openAi.failNext(FakeServerFault.SERVER_ERROR);
        var result = analysis.run(INPUT, spec(STRICT, "openai"), openAiModel(), Redaction.NONE);
        openAi.awaitRequest(1000);
        assertThat(result.status()).isEqualTo(AnalysisRecord.Status.FAILED);
        assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("llm: "));
        assertThat(result.resultJson()).isEmpty();
    }

    @Test
    void aLongCallKeepsItsBeginningAndItsEndWithinTheConfiguredLimitsAndTheCutIsCounted() throws Exception {
        var lines = new ArrayList<AnalysisInput.Line>();
        for (int i = 0; i < 2_000; i++) {
            lines.add(new AnalysisInput.Line("caller line " + i, "agent line " + i));
        }
        var registry = new SimpleMeterRegistry();
        var limited = new CallAnalysis(Clock.fixed(T0, ZoneOffset.UTC), Duration.ofSeconds(5), 2_000, 77, registry);
        openAi.enqueue(FakeLlmServer.Reply.structured("{\"booked\":true,\"party\":4}"));
        openAi.enqueue(FakeLlmServer.Reply.structured("{\"booked\":true,\"party\":4}"));

        limited.run(new AnalysisInput("CA", "f", "v", "a", "b", T0, Optional.empty(), Map.of(), lines), spec(STRICT, "openai"),
                    openAiModel(), Redaction.NONE);

        var body = openAi.awaitRequest(1000).body();
        var sent = body.path("messages").get(1).path("content").asText();
        assertThat(sent).hasSizeLessThan(2_000 + 200) // the limit, the call's header line and the cut's note
                        .contains("Caller: caller line 0", "Agent: agent line 1999", "the middle of the call is left out")
                        .doesNotContain("caller line 1000");
        assertThat(body.path("max_completion_tokens").asInt(body.path("max_tokens").asInt())).as("the configured default").isEqualTo(77);
        assertThat(registry.counter("dialtone.analysis.transcripts.cut").count()).isEqualTo(1);

        limited.run(INPUT, spec(STRICT, "openai"), openAiModel(), Redaction.NONE); // short: sent whole, not counted
        assertThat(openAi.awaitRequest(1000).body().toString()).contains("Booked for four at eight.");
        assertThat(registry.counter("dialtone.analysis.transcripts.cut").count()).isEqualTo(1);
    }

    private OpenAiChatModel openAiModel() {
        return new OpenAiChatModel(openAi.baseUrl(), "sk-test", Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static String spec(String schema, String provider) {
        return CallAnalysis.specJson(new AnalysisSpec(schema, "Did they book?", Optional.empty()),
                new ProviderBlock(provider, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(0.0), Map.of()));
    }
}
