package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoreSettings;
import dev.dialtone.store.StoredVersion;
import dev.dialtone.store.VersionSummary;

/**
 * Each version that goes live is stored with its flow file's text: the versions live at start, and
 * the new one after a reload that changes the flow; a version the store cannot take is counted and
 * logged, and the reload goes on.
 */
class VersionLogTest {
    static final String FLOW = "name: desk\ndefault: true\ngreeting: Hello.\nprompt: Take a message.\n";

    @TempDir
    Path dir;

    @Test
    void versionsAreStoredAsTheyGoLiveAndAFailedWriteIsCounted() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/desk.yaml"), FLOW);
        var meters = new SimpleMeterRegistry();
        try (var plugins = new PluginRuntime(PluginSettings.none());
             var flows = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai"), meters,
                                          Clock.systemUTC())) {
            assertThat(flows.reload().applied()).isTrue();
            var v1 = flows.byName("desk").orElseThrow();
            var store = CallStore.open(StoreSettings.defaults().withUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                                                    .withRetention(Duration.ZERO), meters);
            VersionLog.attach(flows, store, meters);
            Await.until(() -> store.versions("desk", 10).size() == 1, Duration.ofSeconds(10));
            assertThat(store.findVersion("desk", v1.hash()).orElseThrow().files())
                    .containsExactly(new StoredVersion.File("flows/desk.yaml", FLOW));

            Files.writeString(dir.resolve("flows/desk.yaml"), FLOW.replace("Take a message.", "Take a message and a number."));
            assertThat(flows.reload().changed()).containsExactly("desk");
            var v2 = flows.byName("desk").orElseThrow();
            Await.until(() -> store.versions("desk", 10).size() == 2, Duration.ofSeconds(10));
            assertThat(store.versions("desk", 10)).extracting(VersionSummary::version).containsExactly(v2.hash(), v1.hash());
            assertThat(store.findVersion("desk", v2.hash()).orElseThrow().files().getFirst().text()).contains("and a number");

            store.close();
            Files.writeString(dir.resolve("flows/desk.yaml"), FLOW.replace("Hello.", "Hi."));
            assertThat(flows.reload().applied()).as("the reload does not wait for or fail with the store").isTrue();
            Await.until(() -> meters.counter("dialtone.store.flow_versions.failed").count() == 1.0, Duration.ofSeconds(10));
        }
    }
}
