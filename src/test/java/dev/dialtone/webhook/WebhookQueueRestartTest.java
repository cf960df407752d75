package dev.dialtone.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeServer;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoreSettings;
import dev.dialtone.store.WebhookDelivery;

/**
 * A delivery queued by one process (a store closed before anything sent it) is sent by the next
 * one to open the same database, signed with the secret looked up at send time; and the backoff
 * doubles up to its ceiling.
 */
class WebhookQueueRestartTest {
    @TempDir
    Path dir;

    @Test
    void aRowQueuedBeforeARestartIsDeliveredAfterIt() throws Exception {
        var url = "jdbc:h2:file:" + dir.resolve("db") + "/dialtone";
        var received = new CopyOnWriteArrayList<String>();
        try (var receiver = new FakeServer(exchange -> {
            received.add(exchange.header("Dialtone-Signature").orElse("") + " " + exchange.bodyText());
            exchange.respond(204, "text/plain", "");
        })) {
            var hook = "http://127.0.0.1:" + receiver.port() + "/in";
            try (var first = CallStore.open(StoreSettings.defaults().withUrl(url).withRetention(Duration.ZERO), new SimpleMeterRegistry())) {
                first.webhooks().add("CA-restart", "call.ended", hook, Optional.of("global"), "{\"event\":\"call.ended\"}",
                        Clock.systemUTC().instant());
            }
            assertThat(received).isEmpty();
            var metrics = new SimpleMeterRegistry();
            try (var second = CallStore.open(StoreSettings.defaults().withUrl(url).withRetention(Duration.ZERO), metrics);
                 var delivery = new Delivery(second, (ref, u) -> ref.equals("global") ? Optional.of("k") : Optional.empty(),
                         settings(List.of("127.0.0.1")), metrics, Clock.systemUTC())) {
                Await.until(() -> second.webhooks().forCall("CA-restart").getFirst().status().equals(WebhookDelivery.DELIVERED),
                        Duration.ofSeconds(10));
            }
            assertThat(received).hasSize(1);
            var body = "{\"event\":\"call.ended\"}";
            var t = received.getFirst().substring(2, received.getFirst().indexOf(','));
            assertThat(received.getFirst()).isEqualTo("t=" + t + ",v1=" + Signature.hmac("k", t + "." + body) + " " + body);
        }
    }

    @Test
    void backoffDoublesUpToItsCeiling() {
        var s = new WebhookSettings(List.of(), List.of(), Duration.ofSeconds(10), Duration.ofHours(1), 12, Duration.ofSeconds(1),
                Duration.ofSeconds(5), 1000, Optional.empty());
        assertThat(s.backoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.backoff(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.backoff(5)).isEqualTo(Duration.ofSeconds(160));
        assertThat(s.backoff(11)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void privateAndLoopbackTargetsAreRefusedUnlessListed() {
        var targets = new Targets(List.of("127.0.0.1:8080", "*.internal.example"));
        assertThat(targets.refusal("http://127.0.0.1:8080/x")).isNull();
        assertThat(targets.refusal("http://127.0.0.1:8081/x")).contains("private or loopback");
        assertThat(targets.refusal("http://10.1.2.3/x")).contains("private or loopback");
        assertThat(targets.refusal("http://169.254.169.254/latest")).contains("private or loopback");
        assertThat(targets.refusal("http://[::1]/x")).contains("private or loopback");
        assertThat(targets.refusal("http://[fd00::1]/x")).contains("private or loopback");
        assertThat(targets.refusal("ftp://example.com/x")).contains("http and https");
        assertThat(targets.refusal("http://93.184.215.14/x")).isNull();
    }

    static WebhookSettings settings(List<String> allowed) {
        return new WebhookSettings(List.of(), allowed, Duration.ofMillis(50), Duration.ofMillis(200), 3, Duration.ofMillis(25),
                Duration.ofSeconds(5), 100_000, Optional.empty());
    }
}
