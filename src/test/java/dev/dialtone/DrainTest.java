package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.flow.TurnTaking;

/** The drain's settings and defaults; the drain itself runs in a real process in DrainIT. */
class DrainTest {

    @Test
    void theDefaultDeadlineIsTheLongestMaxCallOfTheFlowsServed(@TempDir Path dir) throws Exception {
        var flows = Files.createDirectories(dir.resolve("flows"));
        Files.writeString(flows.resolve("a.yaml"), "name: a\nnumbers: [\"+15550001111\"]\nprompt: \"A\"\nturn: { max_call_s: 300 }\n");
        Files.writeString(flows.resolve("b.yaml"), "name: b\nnumbers: [\"+15550002222\"]\nprompt: \"B\"\nturn: { max_call_s: 1200 }\n");
        try (var parts = Parts.create(TestSettings.with(Map.of("DIALTONE_FLOWS", flows.toString(),
                                                                    "DIALTONE_PLUGINS", dir.toString())), Clock.systemUTC())) {
            assertThat(parts.drain().longestMaxCall()).isEqualTo(Duration.ofSeconds(1200));
            assertThat(parts.drain().draining()).isFalse();
            assertThat(parts.drain().begin()).isTrue();
            assertThat(parts.drain().begin()).as("one drain per process").isFalse();
            // no call up: the drain is over at once, the deadline is not waited for
            assertThat(parts.drain().awaitCalls(new Settings.DrainTimes(Optional.empty(), Duration.ofSeconds(10)))).isZero();
            assertThat(parts.metrics().get("dialtone.draining").gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void withoutFlowsTheDeadlineIsTheDefaultMaxCall(@TempDir Path dir) {
        try (var parts = Parts.create(TestSettings.with(Map.of("DIALTONE_FLOWS", dir.toString(),
                                                                    "DIALTONE_PLUGINS", dir.toString())), Clock.systemUTC())) {
            assertThat(parts.drain().longestMaxCall()).isEqualTo(TurnTaking.DEFAULTS.maxCall());
        }
    }

    @Test
    void theDrainTimesAreSettingsWithTheirEnvironmentVariables() {
        var defaults = Settings.load(Path.of("config.yaml"), Map.of()).drain();
        assertThat(defaults.deadline()).as("empty: the longest max_call_s").isEmpty();
        assertThat(defaults.goodbye()).isEqualTo(Duration.ofSeconds(10));
        var set = Settings.load(Path.of("config.yaml"), Map.of("DIALTONE_DRAIN_S", "120", "DIALTONE_DRAIN_GOODBYE_S", "5")).drain();
        assertThat(set.deadline()).contains(Duration.ofSeconds(120));
        assertThat(set.goodbye()).isEqualTo(Duration.ofSeconds(5));
    }
}
