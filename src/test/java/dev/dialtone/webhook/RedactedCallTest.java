package dev.dialtone.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeServer;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.store.AnalysisRecord;

/**
 * A flow with {@code redact: true} whose caller says a card number and keys another number in
 * unmasked: the conversation's LLM hears the card (it has to), but the post-call analysis request,
 * the stored analysis and every webhook body (state, analysis, end reason) carry only ****1881,
 * even when the analysis model writes the full number back (as a string or a JSON number), and
 * when an analysis was stored unmasked.
 */
class RedactedCallTest {
    private static final String CARD = "4012888888881881"; // a Luhn-valid test card
    private static final String SPOKEN = "my card is 4012 8888 8888 1881 thanks";
    private static final String KEYED = "55554444"; // eight digits: a long run the flow masks
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> bodies = new CopyOnWriteArrayList<>();
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
    void aCardSaidInTheCallReachesTheAnalysisAndTheWebhooksOnlyMasked() throws Exception {
        receiver = new FakeServer(exchange -> {
            bodies.add(exchange.bodyText());
            exchange.respond(200, "text/plain", "ok");
        });
        var flow = """
                name: shop
                default: true
                greeting: "Shop line."
                prompt: "You take payments."
                llm: { provider: openai, model: gpt-4o-mini }
                turn: { silence_reprompt_s: 60 }
                redact: true
                start: pay
                nodes:
                  pay:
                    collect: { digits: 8, finish_on: "#", timeout_s: 5, into: member_number, mask: false,
                               prompt: "Key in your member number, then hash." }
                analysis:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [card, card_number]
                    properties:
                      card: { type: string }
                      card_number: { type: integer }
                webhooks:
                  - url: "http://127.0.0.1:%d/hook"
                    events: [call.ended, call.analyzed]
                """.formatted(receiver.port());
        var config = """
                webhooks:
                  allowed-hosts: ["127.0.0.1"]
                  poll-ms: 25
                """;
        world = FakeWorld.start(flow, Map.of(), Map.of(), config);
        world.stt.script(SPOKEN);
        // a model that writes the number back in full, as text and as a number
        world.llm.respondWith(request -> request.has("response_format")
                ? FakeLlmServer.Reply.structured("{\"card\":\"" + CARD + "\",\"card_number\":" + CARD + "}")
                : FakeLlmServer.Reply.text("Thank you."));
        String sid;
        try (var call = world.dial()) {
            sid = call.callSid();
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
            for (var key : (KEYED + "#").split("")) {
                call.dtmf(key);
            }
            Await.until(() -> world.llm.requests().size() == 1, Duration.ofSeconds(10));
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
            call.sendAudio(FakeAudio.tone(440, 700));
            call.sendAudio(FakeAudio.silence(600));
            Await.until(() -> world.llm.requests().size() == 2, Duration.ofSeconds(10));
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
            call.stop();
        }
        Await.until(() -> events().containsAll(List.of("call.ended", "call.analyzed")), Duration.ofSeconds(20));

        var requests = world.llm.requests();
        assertThat(requests.get(1).body().toString()).as("the conversation's LLM hears the caller").contains("4012 8888 8888 1881");
        var analysis = requests.stream().filter(r -> r.body().has("response_format")).findFirst().orElseThrow().body().toString();
        assertThat(analysis).contains("****1881", "member_number: ****4444").doesNotContain("8888", KEYED);

        var stored = world.parts.store().findCall(sid).orElseThrow().analysis().orElseThrow();
        assertThat(stored.resultJson().orElseThrow()).contains("****1881").doesNotContain(CARD);

        var ended = body("call.ended");
        assertThat(ended.path("state").path("member_number").asText()).isEqualTo("****4444");
        var analyzed = body("call.analyzed");
        assertThat(analyzed.path("analysis").path("result").path("card").asText()).isEqualTo("****1881");
        assertThat(analyzed.path("analysis").path("result").path("card_number").asText()).isEqualTo("****1881");
        assertThat(String.join("\n", bodies)).doesNotContain(CARD, "8888 8888", KEYED);

        // an analysis stored unmasked (the flow redacts only since) still leaves masked
        bodies.clear();
        var webhooks = new Webhooks(world.parts.store(), world.parts.flows(), new WebhookSettings(List.of(), List.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofMillis(25), Duration.ofSeconds(5), 100_000,
                Optional.empty()), Clock.systemUTC());
        webhooks.analyzed(new AnalysisRecord(sid, AnalysisRecord.Status.INVALID, Optional.of("{\"card\":\"" + CARD + "\"}"),
                Optional.of("$.card: " + CARD + " is not allowed"), stored.flowVersion(), stored.specJson(), Instant.now(), Map.of()));
        Await.until(() -> events().contains("call.analyzed"), Duration.ofSeconds(20));
        var late = body("call.analyzed").path("analysis");
        assertThat(late.path("result").path("card").asText()).isEqualTo("****1881");
        assertThat(late.path("problem").asText()).isEqualTo("$.card: ****1881 is not allowed");
    }

    private List<String> events() {
        return bodies.stream().map(b -> read(b).path("event").asText()).toList();
    }

    private JsonNode body(String event) {
        return bodies.stream().map(RedactedCallTest::read).filter(b -> b.path("event").asText().equals(event)).findFirst().orElseThrow();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
