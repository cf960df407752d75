package dev.dialtone.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.store.AnalysisRecord;

/**
 * A whole call through the fakes with digit collection, redaction and a post-call analysis: the
 * keyed account number reaches neither the LLM, the stored record nor the analysis; the analysis
 * is stored with the call, shown and filterable through the admin API, and re-run on request.
 */
class AnalysisCallTest {
    private static final String TOKEN = "analysis-admin-token";
    private static final String FLOW = """
            name: bank
            default: true
            greeting: "Bank line."
            prompt: "You help bank customers."
            llm: { provider: openai, model: gpt-4o-mini }
            turn: { silence_reprompt_s: 60 }
            redact: true
            start: account
            nodes:
              account:
                collect: { digits: "4-12", finish_on: "#", timeout_s: 5, into: account_number, mask: true,
                           prompt: "Key in your account number, then hash." }
            analysis:
              prompt: "Did the caller give an account number?"
              schema:
                type: object
                additionalProperties: false
                required: [gave_account, mood]
                properties:
                  gave_account: { type: boolean }
                  mood: { type: string, enum: [calm, upset] }
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void theAnalysisOfAMaskedCallIsStoredShownFilterableAndRerun() throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", TOKEN));
        var mood = new AtomicReference<>("calm");
        world.llm.respondWith(request -> request.has("response_format")
                ? FakeLlmServer.Reply.structured("{\"gave_account\":true,\"mood\":\"" + mood.get() + "\"}")
                : FakeLlmServer.Reply.text("Thanks, I have your account."));
        String sid;
        try (var call = world.dial()) {
            sid = call.callSid();
            assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            for (var key : "12345678#".split("")) {
                call.dtmf(key);
            }
            Await.until(() -> world.llm.requests().size() == 1, Duration.ofSeconds(10));
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            call.stop();
        }
        var store = world.parts.store();
        Await.until(() -> store.findCall(sid).flatMap(d -> d.analysis()).isPresent(), Duration.ofSeconds(15));

        var analysis = store.findCall(sid).orElseThrow().analysis().orElseThrow();
        assertThat(analysis.status()).isEqualTo(AnalysisRecord.Status.DONE);
        assertThat(analysis.fields()).isEqualTo(Map.of("gave_account", "true", "mood", "calm"));
        var requests = world.llm.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).body().toString()).contains("****5678").doesNotContain("12345678");
        var analysed = requests.get(1).body();
        assertThat(analysed.path("response_format").path("json_schema").path("strict").asBoolean()).isTrue();
        assertThat(analysed.toString()).contains("account_number: ****5678", "Did the caller give an account number?")
                                       .doesNotContain("12345678");
        assertThat(store.findCall(sid).orElseThrow().toString()).doesNotContain("12345678");

        var shown = get("/api/calls/" + sid);
        assertThat(shown.path("analysis").path("status").asText()).isEqualTo("done");
        assertThat(shown.path("analysis").path("result").path("mood").asText()).isEqualTo("calm");
        assertThat(get("/api/calls?analysis.gave_account=true&analysis.mood=calm").path("total").asInt()).isEqualTo(1);
        assertThat(get("/api/calls?analysis.mood=upset").path("total").asInt()).isZero();
        assertThat(get("/api/calls?analysis=failed").path("total").asInt()).isZero();

        mood.set("upset");
        var rerun = http.send(HttpRequest.newBuilder(URI.create(world.url() + "/api/calls/" + sid + "/analysis"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rerun.statusCode()).isEqualTo(202);
        Await.until(() -> store.findCall(sid).flatMap(d -> d.analysis()).map(a -> a.fields().get("mood"))
                               .filter("upset"::equals).isPresent(), Duration.ofSeconds(15));
        assertThat(world.llm.requests().get(2).body().toString()).contains("account_number: ****5678");
        assertThat(get("/api/calls?analysis.mood=upset").path("total").asInt()).isEqualTo(1);
        var unknown = http.send(HttpRequest.newBuilder(URI.create(world.url() + "/api/calls/CA-nope/analysis"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    private JsonNode get(String path) throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create(world.url() + path)).header("Authorization", "Bearer " + TOKEN)
                                            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
