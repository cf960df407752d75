package dev.dialtone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.helidon.webserver.WebServer;

import dev.dialtone.store.StoreSettings;

/**
 * {@code bin/dialtone aot-training}: the server's start-up once, so that the JVM can record what it
 * loads and links into an ahead-of-time cache (JDK 25, {@code -XX:AOTCacheOutput}; the launcher
 * passes that flag and later starts {@code serve} with {@code -XX:AOTCache}). It loads the
 * configured flows and plugins, opens a throw-away embedded store in a temporary folder, listens on
 * a free port, asks its own health endpoint once and stops. Nothing of the operator's is touched:
 * not the data folder, not the database, not the port.
 */
final class AotTraining {
    private static final System.Logger LOG = System.getLogger(AotTraining.class.getName());

    private AotTraining() {
    }

    static int run(Map<String, String> environment) {
        Path data;
        try {
            data = Files.createTempDirectory("dialtone-aot-training");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var env = new HashMap<>(environment);
        env.put("PORT", "0");
        env.put("DIALTONE_DATA", data.toString());
        env.put("DIALTONE_DB", StoreSettings.embeddedUrl(data));
        env.put("DIALTONE_ADMIN_TOKEN", UUID.randomUUID().toString());
        var file = Path.of(env.getOrDefault("DIALTONE_CONFIG", "config.yaml"));
        var settings = Settings.load(file, env);
        try (var parts = Parts.create(settings, Clock.systemUTC())) {
            var builder = WebServer.builder().port(0).shutdownHook(false);
            Main.setUp(builder, parts);
            var server = builder.build().start();
            try {
                var health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                LOG.log(System.Logger.Level.INFO, "AOT training: started, health answered {0}", health.statusCode());
            } finally {
                server.stop();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            delete(data);
        }
        return 0;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "AOT training: could not delete " + dir);
        }
    }
}
