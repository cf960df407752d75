package dev.dialtone.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeServer;
import dev.dialtone.fakes.FakeWorld;

/**
 * A call through the fakes with two webhooks: one to a local receiver (allow-listed) that checks
 * each signature with its own HMAC code and fails the first call.ended with a 500 (so it is
 * retried), and one to a loopback address that is not allow-listed (refused and counted).
 */
class WebhookCallTest {
    private static final String TOKEN = "webhook-admin-token";
    private static final String SECRET = "whsec-test-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Received(String signature, String body) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger endedTries = new AtomicInteger();
    private FakeServer receiver;
    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void signedEventsAreDeliveredRetriedAndAPrivateTargetIsRefused() throws Exception {
        receiver = new FakeServer(exchange -> {
            var body = exchange.bodyText();
            if (body.contains("\"call.ended\"") && endedTries.incrementAndGet() == 1) {
                exchange.respond(500, "text/plain", "try later");
                return;
            }
            received.add(new Received(exchange.header("Dialtone-Signature").orElse(""), body));
            exchange.respond(200, "text/plain", "ok");
        });
        var flow = """
                name: shop
                default: true
                greeting: "Shop line."
                prompt: "You take orders."
                llm: { provider: openai, model: gpt-4o-mini }
                turn: { silence_reprompt_s: 60 }
                analysis:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [ordered]
                    properties:
                      ordered: { type: boolean }
                webhooks:
                  - url: "%s/hook"
                    events: [call.started, call.ended, call.analyzed, call.transferred]
                    secret: "%s"
                  - url: "http://127.0.0.2:9/hook"
                    events: [call.ended]
                """.formatted("http://127.0.0.1:" + receiver.port(), SECRET);
        var config = """
                webhooks:
                  allowed-hosts: ["127.0.0.1"]
                  first-retry-ms: 50
                  max-retry-ms: 200
                  poll-ms: 25
                """;
        world = FakeWorld.start(flow, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", TOKEN), config);
        world.llm.respondWith(request -> request.has("response_format")
                ? FakeLlmServer.Reply.structured("{\"ordered\":true}")
                : FakeLlmServer.Reply.text("Sure."));
        String sid;
        try (var call = world.dial()) {
            sid = call.callSid();
            assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            call.stop();
        }
        Await.until(() -> events().containsAll(List.of("call.started", "call.ended", "call.analyzed")), Duration.ofSeconds(20));

        for (var r : received) {
            var parts = r.signature().split(",");
            assertThat(parts).hasSize(2);
            var t = parts[0].substring("t=".length());
            assertThat(parts[1]).isEqualTo("v1=" + hmac(SECRET, t + "." + r.body()));
            assertThat(Math.abs(Long.parseLong(t) - Instant.now().getEpochSecond())).isLessThan(600);
            var body = JSON.readTree(r.body());
            assertThat(body.path("call").path("sid").asText()).isEqualTo(sid);
            assertThat(body.path("call").path("flow").asText()).isEqualTo("shop");
            assertThat(body.path("call").path("from").asText()).isEqualTo(FakeWorld.CALLER);
            assertThat(body.path("transcript_path").asText()).isEqualTo("/api/calls/" + sid);
        }
        var analyzed = received.stream().map(r -> read(r.body())).filter(b -> b.path("event").asText().equals("call.analyzed"))
                .findFirst().orElseThrow();
        assertThat(analyzed.path("analysis").path("result").path("ordered").asBoolean()).isTrue();
        assertThat(endedTries.get()).isEqualTo(2);

        var metrics = world.parts.metrics();
        Await.until(() -> metrics.counter("dialtone.webhooks.refused").count() == 1, Duration.ofSeconds(10));
        assertThat(metrics.counter("dialtone.webhooks.failed").count()).isEqualTo(1);
        assertThat(metrics.counter("dialtone.webhooks.delivered").count()).isEqualTo(3);

        var log = get("/api/calls/" + sid + "/webhooks").path("deliveries");
        assertThat(log).hasSize(4);
        var statuses = new ArrayList<String>();
        log.forEach(d -> statuses.add(d.path("event").asText() + " " + d.path("target").asText().equals("127.0.0.2:9") + " "
                + d.path("status").asText() + " " + d.path("attempts").asInt()));
        assertThat(statuses).contains("call.ended false DELIVERED 2", "call.ended true DEAD 1", "call.started false DELIVERED 1");
        assertThat(log.toString()).doesNotContain(SECRET).doesNotContain("/hook");
    }

    private List<String> events() {
        return received.stream().map(r -> read(r.body()).path("event").asText()).toList();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hmac(String secret, String text) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private JsonNode get(String path) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(world.url() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
