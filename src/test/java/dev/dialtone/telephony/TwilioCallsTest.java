package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.TestSettings;
import dev.dialtone.fakes.FakeTwilioApi;

class TwilioCallsTest {
    private final FakeTwilioApi api = FakeTwilioApi.start(TestSettings.ACCOUNT_SID, TestSettings.AUTH_TOKEN);

    @AfterEach
    void stop() {
        api.close();
    }

    private TwilioCalls client(String token) {
        return new TwilioCalls(TestSettings.with(Map.of("TWILIO_API_URL", api.url().toString(),
                                                        "TWILIO_AUTH_TOKEN", token)).twilio());
    }

    @Test
    void placesAnOutboundCallThroughTheConfiguredApiUrl() {
        var sid = client(TestSettings.AUTH_TOKEN).placeCall("+15550002222", "+15550001111",
                URI.create("https://agent.example.com/twilio/voice"), URI.create("https://agent.example.com/twilio/status"));
        assertThat(sid).startsWith("CA");
        var req = api.requests().getLast();
        assertThat(req.path()).isEqualTo("/2010-04-01/Accounts/" + TestSettings.ACCOUNT_SID + "/Calls.json");
        assertThat(req.form()).containsEntry("To", "+15550002222").containsEntry("From", "+15550001111")
                              .containsEntry("Url", "https://agent.example.com/twilio/voice");
    }

    @Test
    void transferRedirectsTheLiveCallToADial() {
        client(TestSettings.AUTH_TOKEN).transfer("CA42", "+15550009999");
        var req = api.requests().getLast();
        assertThat(req.path()).endsWith("/Calls/CA42.json");
        assertThat(req.form().get("Twiml")).contains("<Dial>+15550009999</Dial>");
    }

    @Test
    void hangUpCompletesTheCall() {
        client(TestSettings.AUTH_TOKEN).hangUp("CA43");
        assertThat(api.requests().getLast().form()).containsEntry("Status", "completed");
    }

    @Test
    void errorsAreTypedAndNeverCarryTheToken() {
        assertThatThrownBy(() -> client("wrong-token").hangUp("CA44"))
                .isInstanceOf(TwilioCalls.TwilioApiError.class)
                .hasMessageContaining("Authenticate")
                .hasMessageNotContaining("wrong-token");
        api.failWith(500);
        assertThatThrownBy(() -> client(TestSettings.AUTH_TOKEN).hangUp("CA45"))
                .isInstanceOf(TwilioCalls.TwilioApiError.class);
    }

    @Test
    void answeringMachineDetectionIsAskedForOnlyWithACallback() {
        var twilio = client(TestSettings.AUTH_TOKEN);
        twilio.placeCall("+15550002222", "+15550001111", URI.create("https://a.example/twilio/voice"),
                         URI.create("https://a.example/twilio/status"), Optional.of(URI.create("https://a.example/twilio/amd")));
        assertThat(api.requests().getLast().form()).containsEntry("MachineDetection", "DetectMessageEnd")
                .containsEntry("AsyncAmd", "true").containsEntry("AsyncAmdStatusCallback", "https://a.example/twilio/amd");
        twilio.placeCall("+15550002222", "+15550001111", URI.create("https://a.example/twilio/voice"),
                         URI.create("https://a.example/twilio/status"));
        assertThat(api.requests().getLast().form()).doesNotContainKeys("MachineDetection", "AsyncAmd");
    }

    @Test
    void aRecordingIsStartedFetchedAndDeletedAndDeletingItTwiceIsNoError() throws Exception {
        var twilio = client(TestSettings.AUTH_TOKEN);
        var sid = twilio.startRecording("CA46", false, URI.create("https://a.example/twilio/recording"));
        assertThat(sid).matches("RE[0-9a-f]{32}");
        assertThat(api.requests().getLast().path()).endsWith("/Calls/CA46/Recordings.json");
        assertThat(api.requests().getLast().form()).containsEntry("RecordingChannels", "mono")
                .containsEntry("RecordingStatusCallback", "https://a.example/twilio/recording");
        try (var audio = twilio.recordingAudio(sid).orElseThrow()) {
            assertThat(new String(audio.readAllBytes())).isEqualTo("ID3fake-mp3-of-CA46");
        }
        twilio.deleteRecording(sid);
        assertThat(api.recordings()).isEmpty();
        twilio.deleteRecording(sid); // already gone: a purge that retries must not fail on it
        assertThat(twilio.recordingAudio(sid)).isEmpty();
        assertThatThrownBy(() -> twilio.deleteRecording("../Calls/CA46")).isInstanceOf(TwilioCalls.TwilioApiError.class);
        api.failWith(500);
        assertThatThrownBy(() -> twilio.deleteRecording(sid)).isInstanceOf(TwilioCalls.TwilioApiError.class);
    }
}
