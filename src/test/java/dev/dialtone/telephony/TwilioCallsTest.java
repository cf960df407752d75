package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;

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
}
