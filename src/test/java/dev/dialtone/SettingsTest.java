package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void withoutAnyConfigFileTheDefaultsAreConfigYamlsPackagedCopy(@TempDir Path dir) throws Exception {
        var packaged = Settings.class.getClassLoader().getResourceAsStream(Settings.DEFAULTS).readAllBytes();
        assertThat(packaged).as("the packaged defaults are config.yaml").isEqualTo(Files.readAllBytes(Path.of("config.yaml")));
        var s = Settings.load(dir.resolve("absent.yaml"), Map.of());
        assertThat(s).usingRecursiveComparison().ignoringFields("plugin", "webhooks")
                     .isEqualTo(Settings.load(Path.of("config.yaml"), Map.of()));
    }

    @Test
    void everyEnvironmentVariableIsNamedInConfigYamlBesideItsKey() throws Exception {
        var lines = Files.readAllLines(Path.of("config.yaml"));
        Settings.ENVIRONMENT.forEach((variable, key) -> {
            var leaf = key.substring(key.lastIndexOf('.') + 1);
            assertThat(lines).as(variable + " beside " + key)
                             .anyMatch(line -> line.strip().startsWith(leaf + ":") && line.contains("# " + variable));
        });
    }

    @Test
    void configYamlHoldsTheDefaults() {
        var s = Settings.load(Path.of("config.yaml"), Map.of());
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.publicUrl()).isEmpty();
        assertThat(s.twilio().apiUrl()).isEqualTo(URI.create("https://api.twilio.com"));
        assertThat(s.openai().url()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(s.flows()).isEqualTo(Path.of("./flows"));
        assertThat(s.deepgram().configured()).isFalse();
        assertThat(s.data()).isEqualTo(Path.of("./data"));
        assertThat(s.adminToken().isSet()).isFalse();
        assertThat(s.metricsAuth()).isFalse();
        assertThat(s.analysis()).isEqualTo(new Settings.Analysis(4, 200, Duration.ofSeconds(60), 60_000, 1000));
        assertThat(s.twilio().maxEarlyAnswers()).isEqualTo(500);
    }

    @Test
    void theAnalysisLimitsAndTheAnsweringMachineCapAreReadFromTheFile(@TempDir Path dir) throws Exception {
        var file = dir.resolve("config.yaml");
        Files.writeString(file, """
                twilio:
                  max-early-answers: 20
                analysis:
                  concurrent: 2
                  waiting: 10
                  timeout-ms: 15000
                  max-transcript-chars: 8000
                  max-tokens: 300
                """);
        var s = Settings.load(file, Map.of());
        assertThat(s.analysis()).isEqualTo(new Settings.Analysis(2, 10, Duration.ofSeconds(15), 8000, 300));
        assertThat(s.twilio().maxEarlyAnswers()).isEqualTo(20);
    }

    @Test
    void theDataFolderAndTheMetricsTokenAreSettings() {
        var s = Settings.load(Path.of("config.yaml"), Map.of("DIALTONE_DATA", "/var/lib/dialtone",
                                                             "DIALTONE_METRICS_AUTH", "TRUE"));
        assertThat(s.data()).isEqualTo(Path.of("/var/lib/dialtone"));
        assertThat(s.metricsAuth()).isTrue();
        // a typo must not leave the metrics open while the operator believes them closed
        assertThatThrownBy(() -> Settings.load(Path.of("config.yaml"), Map.of("DIALTONE_METRICS_AUTH", "yes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metrics-auth");
    }

    @Test
    void environmentWinsOverTheFile(@TempDir Path dir) throws Exception {
        var file = dir.resolve("config.yaml");
        Files.writeString(file, "server:\n  port: 9000\n  public-url: https://file.example.com/\n");
        var s = Settings.load(file, Map.of("PORT", "7000", "DEEPGRAM_API_KEY", "dg-secret",
                                           "OPENAI_BASE_URL", "http://localhost:11434/v1/"));
        assertThat(s.port()).isEqualTo(7000);
        assertThat(s.publicUrl()).contains(URI.create("https://file.example.com"));
        assertThat(s.deepgram().configured()).isTrue();
        assertThat(s.openai().url()).isEqualTo(URI.create("http://localhost:11434/v1"));
    }

    @Test
    void pluginSettingsNeverPrint(@TempDir Path dir) throws Exception {
        var file = dir.resolve("config.yaml");
        Files.writeString(file, "plugins:\n  config:\n    menu_price:\n      api_key: plug-secret-42\n");
        var s = Settings.load(file, Map.of());
        assertThat(s.toString()).doesNotContain("plug-secret-42");
        assertThat(s.plugin().get("config.menu_price.api_key").asString().get()).isEqualTo("plug-secret-42");
    }

    @Test
    void secretsNeverPrint() {
        var s = Settings.load(Path.of("config.yaml"), Map.of("TWILIO_AUTH_TOKEN", "tok-123456",
                                                             "OPENAI_API_KEY", "sk-verysecret"));
        assertThat(s.toString()).doesNotContain("tok-123456").doesNotContain("sk-verysecret").contains("****");
    }
}
