package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A node's {@code patience} and the stt block's Flux settings: read into the model, refused with file:line when wrong. */
class PatienceValidationTest extends FlowSetTestBase {
    private static final String NODE = "name: a\nnodes:\n  details:\n    prompt: Ask for the date of birth.\n";

    private Flow flow() {
        return FlowSetLoader.load(files.flows, files.plugins, runtime, ALL_KEYS, Map.of(), Map.of(),
                                  Instant.EPOCH).versions().get("a").flow();
    }

    @Test
    void longIsThePresetAndTheThresholdsAreReadAsWritten() {
        files.flow("a.yaml", NODE + "    patience: long\n");
        assertThat(problems()).isEmpty();
        assertThat(flow().node("details").orElseThrow().patience()).contains(Patience.LONG);

        files.flow("a.yaml", NODE + "    patience: { endpointing_ms: 1500, eot_timeout_ms: 7000 }\n");
        assertThat(problems()).isEmpty();
        assertThat(flow().node("details").orElseThrow().patience()).contains(
                new Patience(OptionalInt.of(1500), OptionalInt.empty(), OptionalDouble.empty(), OptionalInt.of(7000)));

        files.flow("a.yaml", NODE);
        assertThat(flow().node("details").orElseThrow().patience()).isEmpty();
    }

    @Test
    void patienceMistakesHaveTheirLines() {
        files.flow("a.yaml", NODE + "    patience: short\n");
        assertThat(problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).contains("must be long");
        });
        files.flow("a.yaml", NODE + "    patience:\n      endpointing_ms: 20000\n");
        assertThat(problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(6));
        files.flow("a.yaml", NODE + "    patience:\n      endpointing: 1200\n");
        assertThat(problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(6));
    }

    @Test
    void fluxSettingsNeedAFluxModelAndNovaSettingsAnotherOne() {
        files.flow("a.yaml", "name: a\nstt:\n  provider: deepgram\n  model: flux-general-en\n  eot_threshold: 0.8\n"
                + "  eager_eot_threshold: 0.5\n  eot_timeout_ms: 6000\n");
        assertThat(problems()).isEmpty();
        assertThat(flow().stt().extras()).containsEntry("eot_threshold", 0.8).containsEntry("eot_timeout_ms", 6000);

        files.flow("a.yaml", "name: a\nstt:\n  provider: deepgram\n  model: nova-3\n  eot_threshold: 0.8\n");
        assertThat(problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).contains("eot_threshold is a Deepgram Flux setting");
        });
        files.flow("a.yaml", "name: a\nstt:\n  provider: deepgram\n  model: flux-general-en\n  endpointing: 300\n");
        assertThat(problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(5);
            assertThat(p.message()).contains("endpointing is not a Flux setting");
        });
        files.flow("a.yaml", "name: a\nstt:\n  provider: deepgram\n  model: flux-general-en\n  eot_threshold: 0.6\n"
                + "  eager_eot_threshold: 0.8\n");
        assertThat(problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("above eot_threshold");
        });
        files.flow("a.yaml", "name: a\nstt: { provider: deepgram, model: flux-general-en, eot_threshold: 0.95 }\n");
        assertThat(problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(2));
    }
}
