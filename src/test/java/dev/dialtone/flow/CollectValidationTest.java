package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A node's {@code collect} and the flow's {@code redact}: read into the model, and refused with file:line when wrong. */
class CollectValidationTest extends FlowSetTestBase {
    private static final String NODE = "name: a\nnodes:\n  account:\n    collect:\n";

    private Flow flow() {
        return FlowSetLoader.load(files.flows, files.plugins, runtime, ALL_KEYS, Map.of(), Map.of(),
                                  Instant.EPOCH).versions().get("a").flow();
    }

    @Test
    void aCollectIsReadWithItsDefaults() {
        files.flow("a.yaml", NODE + "      into: account_number\n      digits: \"4-10\"\n      mask: true\n");
        assertThat(problems()).isEmpty();
        var collect = flow().node("account").orElseThrow().collect().orElseThrow();
        assertThat(collect).isEqualTo(new Collect(4, 10, Optional.empty(), Duration.ofSeconds(8), "account_number", true,
                                                  Optional.empty(), Optional.empty(), 3));
    }

    @Test
    void aRangeWithTheLargerNumberFirstIsAnErrorAtItsLine() {
        var f = files.flow("a.yaml", NODE + "      into: pin\n      digits: \"10-4\"\n");
        assertThat(problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(f);
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("collect digits 10-4 has the larger number first");
        });
    }

    @Test
    void schemaMistakesHaveTheirLines() {
        files.flow("a.yaml", NODE + "      into: pin\n      digits: \"4 to 10\"\n");
        assertThat(problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("a range such as \"4-10\"");
        });
        files.flow("a.yaml", NODE + "      digits: 4\n");
        assertThat(problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("into"));
        files.flow("a.yaml", NODE + "      into: pin\n      finish_on: \"5\"\n");
        assertThat(problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(6));
        files.flow("a.yaml", "name: a\nredact: { min_digit_run: 99 }\n");
        assertThat(problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(2));
    }

    @Test
    void redactIsTrueOrWhichParts() {
        files.flow("a.yaml", "name: a\nredact: true\n");
        assertThat(flow().redaction()).isEqualTo(Redaction.STANDARD);
        files.flow("a.yaml", "name: a\nredact: { national_ids: false, min_digit_run: 0 }\n");
        assertThat(flow().redaction()).isEqualTo(new Redaction(true, true, false, 0));
        files.flow("a.yaml", "name: a\n");
        assertThat(flow().redaction()).isEqualTo(Redaction.NONE);
    }
}
