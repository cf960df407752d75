package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.TestSettings;
import dev.dialtone.fakes.FakeTwilioApi;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.store.RecordingRecord;

/**
 * Outbound calls with answering-machine detection and recorded calls, over the wire: the REST
 * requests the fake Twilio receives, its signed callbacks, the store, and the console's proxy.
 */
class CallCenterCallTest {
    static final String PUBLIC = "https://agent.example.com";
    static final String VOICEMAIL = "Hi, this is Luigi's. Your order is ready.";
    static final String CONSENT = "This call may be recorded for quality.";
    static final String FLOW = CallFlowTest.FLOW + """
            voicemail: { say: "%s", then: hangup }
            screening: "This is Luigi's Pizzeria calling about your order."
            recording: { enabled: true, channels: dual, consent: "%s" }
            """.formatted(VOICEMAIL, CONSENT);

    private final HttpClient http = HttpClient.newHttpClient();
    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void anOutboundCallToAMachineLeavesTheVoicemailAfterTheBeepAndHangsUp() throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("PUBLIC_URL", PUBLIC));
        var placed = api("POST", "/api/calls", "{\"to\":\"+15557770000\",\"from\":\"+15550001111\",\"flow\":\"test\"}");
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        var create = world.twilioApi.requests().getLast();
        assertThat(create.form()).containsEntry("MachineDetection", "DetectMessageEnd").containsEntry("AsyncAmd", "true")
                                 .containsEntry("AsyncAmdStatusCallback", PUBLIC + "/twilio/amd")
                                 .containsEntry("AsyncAmdStatusCallbackMethod", "POST");
        var sid = placed.body().replaceAll(".*\"callSid\":\"([^\"]+)\".*", "$1");
        // an unsigned answer is refused like any webhook
        assertThat(world.twilio.post(world.url() + "/twilio/amd", Map.of("CallSid", sid, "AnsweredBy", "human"), null)
                               .statusCode()).isEqualTo(403);

        try (var call = world.twilio.answerOutbound(sid, "+15550001111", "+15557770000", PUBLIC + "/twilio/voice?flow=test")) {
            var recording = awaitRequest(r -> r.path().endsWith("/Calls/" + sid + "/Recordings.json"));
            assertThat(recording.form()).containsEntry("RecordingChannels", "dual")
                                        .containsEntry("RecordingStatusCallback", PUBLIC + "/twilio/recording");
            assertThat(transcript(sid).turns()).as("the greeting waits for the machine detection").isEmpty();

            assertThat(world.twilio.callback(PUBLIC + "/twilio/amd", Map.of("CallSid", sid, "AnsweredBy", "machine_end_beep",
                                                                            "MachineDetectionDuration", "4210"))).isEqualTo(204);

            var hangUp = awaitRequest(r -> r.path().endsWith("/Calls/" + sid + ".json") && "completed".equals(r.form().get("Status")));
            assertThat(hangUp).isNotNull();
            assertThat(transcript(sid).turns()).extracting(Turn.View::agentText).containsExactly(VOICEMAIL);
            assertThat(transcript(sid).notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo("machine_end_beep"));
        }
    }

    @Test
    void answeringMachineResultsWaitingForTheirStreamAreCappedAndTheDroppedOnesCounted() throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("PUBLIC_URL", PUBLIC), "twilio:\n  max-early-answers: 2\n");
        var placed = api("POST", "/api/calls", "{\"to\":\"+15557770000\",\"from\":\"+15550001111\",\"flow\":\"test\"}");
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        var sid = placed.body().replaceAll(".*\"callSid\":\"([^\"]+)\".*", "$1");
        // results for calls whose stream never comes (signed, so accepted), then the real call's
        for (var made : List.of("CA" + "1".repeat(32), "CA" + "2".repeat(32), sid)) {
            assertThat(world.twilio.callback(PUBLIC + "/twilio/amd", Map.of("CallSid", made, "AnsweredBy", "machine_end_beep")))
                    .isEqualTo(204);
        }
        var dropped = world.parts.metrics().counter("dialtone.amd.answers.dropped");
        assertThat(dropped.count()).as("the oldest of three over a cap of two").isEqualTo(1);

        // the newest was kept: the call's stream starts and leaves the voicemail at once
        try (var call = world.twilio.answerOutbound(sid, "+15550001111", "+15557770000", PUBLIC + "/twilio/voice?flow=test")) {
            awaitRequest(r -> r.path().endsWith("/Calls/" + sid + ".json") && "completed".equals(r.form().get("Status")));
            assertThat(transcript(sid).turns()).extracting(Turn.View::agentText).containsExactly(VOICEMAIL);
        }
        assertThat(dropped.count()).isEqualTo(1);
    }

    @Test
    void aRecordedCallIsStoredPlayableThroughTheServerAndPurgedAtTwilioWithTheCall() throws Exception {
        world = FakeWorld.start(FLOW);
        try (var call = world.dial()) {
            awaitTrue(() -> world.parts.switchboard().transcript(call.callSid()).map(t -> t.turns().size() >= 2 && !t.turns().get(1).agentText().isEmpty()).orElse(false));
            assertThat(transcript(call.callSid()).turns()).extracting(Turn.View::agentText)
                    .startsWith(CONSENT, "Hello, thanks for calling.");
            var start = awaitRequest(r -> r.path().endsWith("/Calls/" + call.callSid() + "/Recordings.json"));
            var base = world.url().toString().replaceAll("/$", "");
            assertThat(start.form()).containsEntry("RecordingStatusCallback", base + "/twilio/recording");
            awaitTrue(() -> !world.parts.store().recordings(call.callSid()).isEmpty());
            var recordingSid = world.parts.store().recordings(call.callSid()).getFirst().recordingSid();
            assertThat(world.twilioApi.recordings()).containsExactly(recordingSid);

            assertThat(world.twilio.callback(base + "/twilio/recording", Map.of(
                    "CallSid", call.callSid(), "RecordingSid", recordingSid, "RecordingStatus", "completed",
                    "RecordingDuration", "12", "RecordingChannels", "2",
                    "RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + recordingSid))).isEqualTo(204);
            // signed but not what Twilio sends: ignored and counted
            assertThat(world.twilio.callback(base + "/twilio/recording", Map.of("CallSid", call.callSid(),
                    "RecordingSid", "../../etc", "RecordingStatus", "completed"))).isEqualTo(204);
            assertThat(world.parts.metrics().counter("dialtone.twilio.callbacks.ignored", "kind", "recording").count()).isEqualTo(1);
            assertThat(world.parts.store().recordings(call.callSid())).singleElement()
                    .returns("completed", RecordingRecord::status).returns(Optional.of(12), RecordingRecord::durationSeconds);

            var list = api("GET", "/api/calls/" + call.callSid() + "/recordings", null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains(recordingSid, "\"status\":\"completed\"", "\"durationSeconds\":12")
                                   .doesNotContain("twilio.com", TestSettings.ACCOUNT_SID);
            var audio = http.send(HttpRequest.newBuilder(URI.create(world.url() + "/api/calls/" + call.callSid()
                                                                    + "/recordings/" + recordingSid + "/audio"))
                                          .header("Authorization", "Bearer " + world.parts.adminToken().value()).build(),
                                  HttpResponse.BodyHandlers.ofByteArray());
            assertThat(audio.statusCode()).isEqualTo(200);
            assertThat(audio.headers().firstValue("Content-Type")).contains("audio/mpeg");
            assertThat(new String(audio.body(), StandardCharsets.UTF_8)).isEqualTo("ID3fake-mp3-of-" + call.callSid());
            var unauthenticated = http.send(HttpRequest.newBuilder(URI.create(world.url() + "/api/calls/" + call.callSid()
                                                                              + "/recordings/" + recordingSid + "/audio")).build(),
                                            HttpResponse.BodyHandlers.ofString());
            assertThat(unauthenticated.statusCode()).isEqualTo(401);
            // a recording of another call (or none) is not fetched from Twilio through this call
            assertThat(api("GET", "/api/calls/CAother/recordings/" + recordingSid + "/audio", null).statusCode()).isEqualTo(404);
            call.stop();
        }
        awaitTrue(() -> world.parts.store().findCall(world.twilioApi.requests().stream()
                .filter(r -> r.path().endsWith("/Recordings.json")).findFirst().orElseThrow().path()
                .replaceAll(".*/Calls/([^/]+)/Recordings.json", "$1")).map(d -> d.summary().endedAt() != null).orElse(false));

        world.parts.store().purgeOlderThan(Instant.now().plus(Duration.ofDays(1)));

        assertThat(world.twilioApi.requests()).anySatisfy(r -> assertThat(r.method()).isEqualTo("DELETE"));
        assertThat(world.twilioApi.recordings()).isEmpty();
    }

    private CallTranscript transcript(String sid) {
        return world.parts.switchboard().transcript(sid).orElseThrow();
    }

    private FakeTwilioApi.ApiRequest awaitRequest(Predicate<FakeTwilioApi.ApiRequest> wanted) {
        awaitTrue(() -> world.twilioApi.requests().stream().anyMatch(wanted));
        return world.twilioApi.requests().stream().filter(wanted).findFirst().orElseThrow();
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(world.url() + path))
                .header("Authorization", "Bearer " + world.parts.adminToken().value())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitTrue(BooleanSupplier condition) {
        Await.until(condition, Duration.ofSeconds(8));
    }
}
