package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.Main;
import dev.dialtone.Parts;
import dev.dialtone.TestSettings;
import dev.dialtone.fakes.FakeTwilio;
import dev.dialtone.store.CallEnd;
import dev.dialtone.store.CallStart;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.Direction;
import dev.dialtone.store.TurnRecord;
import dev.dialtone.store.TurnTimings;

/** The admin API: auth, call listing with filters and pages (from the store), errors, flows. */
@ServerTest
class AdminApiTest {
    static final String TOKEN = "admin-secret-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Parts parts;
    private final URI server;
    private final HttpClient http = HttpClient.newHttpClient();

    AdminApiTest(URI server) {
        this.server = FakeTwilio.base(server);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder builder) {
        parts = Parts.create(TestSettings.with(Map.of("DIALTONE_ADMIN_TOKEN", TOKEN)), Clock.systemUTC());
        Main.setUp(builder, parts);
    }

    @BeforeAll
    static void storeSomeCalls() throws Exception {
        var recorder = parts.store().recorder();
        var t0 = Instant.parse("2026-11-01T10:00:00Z");
        for (int i = 0; i < 12; i++) {
            var sid = "CA" + String.format("%032d", i);
            var flow = i % 3 == 0 ? "clinic" : "luigis";
            recorder.callStarted(new CallStart(sid, flow, "v1", "+1555000" + String.format("%04d", i), "+15550001111",
                                               Direction.INBOUND, t0.plusSeconds(3600L * i)));
            recorder.turnCompleted(new TurnRecord(sid, 0, "", "Hello", false, TurnTimings.NONE, List.of()));
            if (i != 11) {
                recorder.callEnded(new CallEnd(sid, t0.plusSeconds(3600L * i + 60), "caller hung up", CallStatus.COMPLETED));
            }
        }
        Await.until(() -> parts.store().recorder().pending() == 0, Duration.ofSeconds(10));
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(server + path));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server + path)).header("Authorization", "Bearer " + TOKEN)
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> res) throws Exception {
        return JSON.readTree(res.body());
    }

    @Test
    void refusesWithoutTheRightTokenAndNeverEchoesIt() throws Exception {
        assertThat(get("/api/calls", null).statusCode()).isEqualTo(401);
        var wrong = get("/api/calls", "nope");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).path("error").asText()).contains("token").doesNotContain(TOKEN);
        assertThat(get("/api/calls", TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/api/events", "nope").statusCode()).isEqualTo(401);
    }

    @Test
    void listsCallsNewestFirstWithFiltersAndPages() throws Exception {
        var all = json(get("/api/calls?limit=5", TOKEN));
        assertThat(all.path("total").asInt()).isEqualTo(12);
        assertThat(all.path("calls")).hasSize(5);
        assertThat(all.path("calls").get(0).path("callSid").asText()).endsWith("11");
        var page3 = json(get("/api/calls?limit=5&offset=10", TOKEN));
        assertThat(page3.path("calls")).hasSize(2);

        var clinic = json(get("/api/calls?flow=clinic", TOKEN));
        assertThat(clinic.path("total").asInt()).isEqualTo(4);
        assertThat(json(get("/api/calls?number=%2B15550000004", TOKEN)).path("total").asInt()).isEqualTo(1);
        assertThat(json(get("/api/calls?status=active", TOKEN)).path("total").asInt()).isEqualTo(1);
        // as a browser sends it (encodeURIComponent): 12:00 to 15:00 holds the calls of 12, 13 and 14 h
        var range = json(get("/api/calls?from=2026-11-01T12%3A00%3A00Z&to=2026-11-01T15%3A00%3A00Z", TOKEN));
        assertThat(range.path("total").asInt()).isEqualTo(3);
    }

    @Test
    void badInputIs400AndAnUnknownSidIs404() throws Exception {
        assertThat(get("/api/calls?status=maybe", TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/api/calls?limit=100000", TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/api/calls?from=yesterday", TOKEN).statusCode()).isEqualTo(400);
        var missing = get("/api/calls/CAnope", TOKEN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).path("error").asText()).contains("CAnope");
        assertThat(post("/api/calls/CAnope/hangup", "").statusCode()).isEqualTo(404);
        assertThat(post("/api/calls/CAnope/transfer", "{\"to\":\"12\"}").statusCode()).isEqualTo(400);
        assertThat(post("/api/calls", "{\"to\":\"+15550002222\",\"from\":\"+15550001111\",\"flow\":\"nope\"}").statusCode())
                .isEqualTo(400);
        assertThat(post("/api/calls", "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void aStoredCallHasItsTranscript() throws Exception {
        var call = json(get("/api/calls/CA" + String.format("%032d", 3), TOKEN));
        assertThat(call.path("flow").asText()).isEqualTo("clinic");
        assertThat(call.path("status").asText()).isEqualTo("completed");
        assertThat(call.path("transcript").get(0).path("agent").asText()).isEqualTo("Hello");
    }

    @Test
    void flowsAreListedAndReloadable() throws Exception {
        var flows = json(get("/api/flows", TOKEN));
        assertThat(flows).isNotEmpty();
        assertThat(flows.findValuesAsText("name")).contains("luigis");
        var reload = post("/api/flows/reload", "");
        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(json(reload).path("applied").asBoolean()).isTrue();
    }
}
