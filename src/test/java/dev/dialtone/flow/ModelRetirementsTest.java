package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A flow's llm model against the retirement table, on a given day: nothing before the announcement,
 * a warning with the date and replacement until the retirement date, an error from that day on.
 */
class ModelRetirementsTest extends FlowSetTestBase {
    static final LocalDate TODAY = LocalDate.parse("2026-12-07");

    static Instant noon(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    FlowSetLoader.LoadedSet load(LocalDate day) {
        return FlowSetLoader.load(files.flows, files.plugins, runtime, ALL_KEYS, Map.of(), Map.of(), noon(day));
    }

    Path flowWithModel(String provider, String model) {
        return files.flow("a.yaml", "name: a\nllm:\n  provider: " + provider + "\n  model: " + model + "\n  max_tokens: 200\n");
    }

    @Test
    void retiredModelIsAnErrorAtItsLineWithTheReplacement() {
        var f = flowWithModel("anthropic", "claude-3-5-haiku-latest");
        var loaded = load(TODAY);
        assertThat(loaded.ok()).isFalse();
        assertThat(loaded.versions()).isEmpty();
        assertThat(loaded.problems()).extracting(Problem::toString).containsExactly(f + ":4: llm model claude-3-5-haiku-latest"
                + " was retired by anthropic on 2026-02-19 and every request for it fails; use claude-haiku-4-5 instead");
    }

    @Test
    void announcedRetirementIsAWarningWithTheDateAndTheFlowStillLoads() {
        var f = flowWithModel("openai", "gpt-4o-mini");
        var loaded = load(TODAY);
        assertThat(loaded.ok()).isTrue();
        assertThat(loaded.versions()).containsKey("a");
        assertThat(loaded.problems()).singleElement().satisfies(p -> {
            assertThat(p.isError()).isFalse();
            assertThat(p.toString()).isEqualTo(f + ":4: warning: llm model gpt-4o-mini is deprecated: openai retires it on 2027-01-14,"
                    + " and calls to this flow will fail from then on; move to gpt-6-luna before then");
        });
    }

    @Test
    void theDayDecides() {
        flowWithModel("openai", "gpt-4o-mini");
        assertThat(load(LocalDate.parse("2026-10-13")).problems()).as("before the announcement").isEmpty();
        assertThat(load(LocalDate.parse("2026-10-14")).problems()).as("announced").singleElement()
                .satisfies(p -> assertThat(p.isError()).isFalse());
        assertThat(load(LocalDate.parse("2027-01-13")).problems()).as("last day").singleElement()
                .satisfies(p -> assertThat(p.isError()).isFalse());
        assertThat(load(LocalDate.parse("2027-01-14")).problems()).as("retirement day").singleElement()
                .satisfies(p -> assertThat(p.message()).contains("was retired by openai on 2027-01-14").contains("use gpt-6-luna"))
                .satisfies(p -> assertThat(p.isError()).isTrue());
    }

    @Test
    void currentModelsAreClean() {
        flowWithModel("anthropic", "claude-haiku-4-5");
        assertThat(load(TODAY).problems()).isEmpty();
        flowWithModel("anthropic", "claude-sonnet-4-5");
        assertThat(load(TODAY).problems()).isEmpty();
    }

    @Test
    void aFlowNamingNoModelIsJudgedByTheDefaultAtTheProviderLine() {
        var f = files.flow("a.yaml", "name: a\nprompt: hi\nllm: { provider: openai }\n");
        assertThat(load(TODAY).problems()).extracting(Problem::toString).containsExactly(f + ":3: warning: llm model gpt-4o-mini"
                + " (the openai default, used because the flow names no model) is deprecated: openai retires it on 2027-01-14,"
                + " and calls to this flow will fail from then on; move to gpt-6-luna before then");
        var g = files.flow("a.yaml", "name: a\nprompt: hi\n");
        assertThat(load(TODAY).problems()).extracting(Problem::toString).singleElement().asString()
                .startsWith(g + ":1: warning: llm model gpt-4o-mini (the openai default");
        files.flow("a.yaml", "name: a\nllm: { provider: anthropic }\n");
        assertThat(load(TODAY).problems()).as("the anthropic default is current").isEmpty();
    }

    @Test
    void theModelOfAnotherProviderIsNotConfusedWithIt() {
        // claude-3-5-haiku-latest is retired at Anthropic; under openai it is simply a name OpenAI does not know.
        flowWithModel("openai", "claude-3-5-haiku-latest");
        assertThat(load(TODAY).problems()).isEmpty();
    }

    @Test
    void aReplacementThatIsRetiringItselfIsFollowed() {
        var f = flowWithModel("openai", "o1-mini");
        assertThat(load(LocalDate.parse("2026-01-05")).problems()).extracting(Problem::toString).containsExactly(
                f + ":4: llm model o1-mini was retired by openai on 2025-10-27 and every request for it fails; use gpt-4o-mini instead");
        assertThat(load(TODAY).problems()).extracting(Problem::message).singleElement().asString().endsWith("use gpt-6-luna instead");
    }

    @Test
    void everyRetirementIsWellFormed() {
        var llmProviders = FlowSchema.providers("llm");
        for (var r : ModelRetirements.TABLE) {
            assertThat(llmProviders).as(r.models().toString()).contains(r.provider());
            assertThat(r.models()).as("an announcement covers at least one model").isNotEmpty();
            assertThat(r.models()).as("a model is not its own replacement").doesNotContain(r.replacement());
            for (var day : new LocalDate[] {r.announced(), r.retires(), TODAY}) {
                // Ends (no circle), and never at a model that is retired on that day.
                var replacement = ModelRetirements.replacement(r.provider(), r.replacement(), day);
                assertThat(ModelRetirements.check(r.provider(), replacement, day)).as(r.models() + " on " + day).isEmpty();
            }
        }
    }

    @Test
    void warningsReachTheRegistrysStatusAndARetiredModelIsRefusedThere() {
        var clock = Clock.fixed(noon(TODAY), ZoneOffset.UTC);
        try (var registry = new FlowRegistry(files.flows, files.plugins, runtime, ALL_KEYS, new SimpleMeterRegistry(), clock)) {
            var f = flowWithModel("openai", "gpt-4o-mini");
            assertThat(registry.reload().applied()).isTrue();
            assertThat(registry.status().getFirst().warnings()).singleElement().asString()
                    .startsWith(f + ":4: warning: llm model gpt-4o-mini is deprecated: openai retires it on 2027-01-14");
            flowWithModel("anthropic", "claude-3-5-haiku-20241022");
            var outcome = registry.reload();
            assertThat(outcome.applied()).isFalse();
            assertThat(registry.byName("a").orElseThrow().flow().llm().model()).as("the previous version stays live").contains("gpt-4o-mini");
            assertThat(registry.status().getFirst().lastError()).hasValueSatisfying(e -> assertThat(e)
                    .contains(f + ":4: llm model claude-3-5-haiku-20241022 was retired by anthropic on 2026-02-19"));
        }
    }
}
