package dev.dialtone.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server listens before its store has opened (the store opens beside the rest of the start),
 * so a database it cannot open must still stop it: the process, started as {@code bin/dialtone
 * serve} starts it, exits with status 1 and says why, and never reports itself ready.
 */
@EnabledOnOs(OS.LINUX)
class StoreFailureIT {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void aDatabaseThatCannotBeOpenedStopsTheServerWithStatusOne(@TempDir Path dir) throws Exception {
        int port = ServerProcess.freePort();
        var env = Map.of("PORT", Integer.toString(port),
                         "DIALTONE_DATA", dir.resolve("data").toString(),
                         "DIALTONE_DB", "jdbc:h2:tcp://127.0.0.1:1/nowhere");
        var command = ServerProcess.launcherCommand(ROOT, Map.of());
        var log = dir.resolve("server.log");
        try (var server = ServerProcess.start(ROOT, command, env, port, log)) {
            assertThat(server.awaitExit(Duration.ofSeconds(60))).as("exit status").isEqualTo(1);
        }
        var text = Files.readString(log);
        assertThat(text).contains("Dialtone cannot start").contains("cannot open the database");
        assertThat(text).doesNotContain("Dialtone listening on port");
    }
}
