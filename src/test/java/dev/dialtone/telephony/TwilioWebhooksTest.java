package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.Test;

import dev.dialtone.LogCapture;
import dev.dialtone.Main;
import dev.dialtone.Parts;
import dev.dialtone.TestSettings;
import dev.dialtone.fakes.FakeTwilio;
import dev.dialtone.fakes.TwilioSigner;

@ServerTest
class TwilioWebhooksTest {
    private final URI server;
    private final FakeTwilio twilio;

    TwilioWebhooksTest(URI server) {
        this.server = FakeTwilio.base(server);
        this.twilio = new FakeTwilio(server, TestSettings.AUTH_TOKEN);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder builder) {
        Main.setUp(builder, Parts.create(TestSettings.signed(), Clock.systemUTC()));
    }

    @Test
    void aSignedCallIsAnsweredWithAStreamToThePublicWssUrl() throws Exception {
        var twiml = twilio.voiceWebhook(twilio.callParams("CA1", "+15551230000", "+15550001111"));
        assertThat(twiml.status()).isEqualTo(200);
        assertThat(twiml.body()).startsWith("<?xml").contains("<Response><Connect><Stream");
        assertThat(twiml.streamUrl()).isEqualTo("wss://" + server.getRawAuthority() + "/twilio/stream");
        assertThat(twiml.statusCallback()).isEqualTo("http://" + server.getRawAuthority() + "/twilio/status");
        assertThat(twiml.parameters()).containsEntry("from", "+15551230000").containsEntry("to", "+15550001111")
                                      .containsEntry("direction", "inbound");
    }

    @Test
    void wrongTokenIsRefusedWith403SayingWhy() throws Exception {
        var params = twilio.callParams("CA2", "+15551230000", "+15550001111");
        var url = server + "/twilio/voice";
        var res = twilio.post(url, params, TwilioSigner.sign("not-the-token", url, params));
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(res.body()).contains("does not match");
    }

    @Test
    void aTamperedParameterIsRefused() throws Exception {
        var params = twilio.callParams("CA3", "+15551230000", "+15550001111");
        var url = server + "/twilio/voice";
        var signature = TwilioSigner.sign(TestSettings.AUTH_TOKEN, url, params);
        params.put("To", "+15559999999");
        assertThat(twilio.post(url, params, signature).statusCode()).isEqualTo(403);
    }

    @Test
    void aMissingSignatureIsRefused() throws Exception {
        var res = twilio.post(server + "/twilio/voice", twilio.callParams("CA4", "+1555", "+1556"), null);
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(res.body()).contains("missing X-Twilio-Signature");
    }

    @Test
    void addedParametersAreSignedToo() throws Exception {
        var params = twilio.callParams("CA5", "+15551230000", "+15550001111");
        params.put("CallerName", "Ada Lovelace");
        params.put("FromCity", "LONDON");
        assertThat(twilio.voiceWebhook(params).status()).isEqualTo(200);
    }

    @Test
    void theQueryStringIsPartOfTheSignedUrl() throws Exception {
        var params = twilio.callParams("CA6", "+15551230000", "+15550001111");
        var url = server + "/twilio/voice?tenant=a%20b";
        assertThat(twilio.post(url, params, TwilioSigner.sign(TestSettings.AUTH_TOKEN, url, params)).statusCode())
                .isEqualTo(200);
        var withoutQuery = TwilioSigner.sign(TestSettings.AUTH_TOKEN, server + "/twilio/voice", params);
        assertThat(twilio.post(url, params, withoutQuery).statusCode()).isEqualTo(403);
    }

    @Test
    void statusCallbacksAreSignatureChecked() throws Exception {
        var params = Map.of("CallSid", "CA7", "StreamSid", "MZ7", "StreamEvent", "stream-started",
                            "AccountSid", twilio.accountSid());
        var url = server + "/twilio/status";
        assertThat(twilio.post(url, params, TwilioSigner.sign(TestSettings.AUTH_TOKEN, url, params)).statusCode())
                .isEqualTo(204);
        assertThat(twilio.post(url, params, "bogus").statusCode()).isEqualTo(403);
    }

    @Test
    void behindAProxyTheHostComesFromXForwardedHost() throws Exception {
        var params = twilio.callParams("CA8", "+15551230000", "+15550001111");
        var publicUrl = "https://agent.example.com/twilio/voice";
        var body = "CallSid=CA8&AccountSid=" + twilio.accountSid()
                   + "&From=%2B15551230000&To=%2B15550001111&CallStatus=ringing&ApiVersion=2010-04-01&Direction=inbound";
        var req = HttpRequest.newBuilder(URI.create(server + "/twilio/voice"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-Host", "agent.example.com")
                .header("X-Forwarded-Proto", "https")
                .header("X-Twilio-Signature", TwilioSigner.sign(TestSettings.AUTH_TOKEN, publicUrl, params))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(res.body()).contains("url=\"wss://agent.example.com/twilio/stream\"")
                              .contains("statusCallback=\"https://agent.example.com/twilio/status\"");
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        var http = HttpClient.newHttpClient();
        var health = http.send(HttpRequest.newBuilder(URI.create(server + "/observe/health")).build(),
                               HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
        var metrics = http.send(HttpRequest.newBuilder(URI.create(server + "/observe/metrics")).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("dialtone_calls_active")
                                  .as("the JVM's own gauges beside the calls'")
                                  .containsPattern("jvm_memory_used_bytes\\{area=\"heap\"")
                                  .contains("process_cpu_usage", "jvm_threads_live_threads");
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413BeforeItIsRead() throws Exception {
        // ten megabytes announced, none sent: the answer comes from the headers alone
        var response = rawPost("/twilio/voice", "Content-Length: 10485760\r\nX-Twilio-Signature: x\r\n", "");
        assertThat(response).startsWith("HTTP/1.1 413");
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWith413() throws Exception {
        var body = ("CallSid=CA9&Pad=" + "x".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
        var req = HttpRequest.newBuilder(URI.create(server + "/twilio/voice"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", "x")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        var res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(413);
    }

    @Test
    void anUnsignedRequestIsRefusedBeforeItsBodyIsRead() throws Exception {
        // a body is announced but never sent: the missing signature is enough to answer
        var response = rawPost("/twilio/voice", "Content-Length: 60000\r\n", "");
        assertThat(response).startsWith("HTTP/1.1 403");
    }

    @Test
    void malformedFormEncodingAnswers400WithoutAStackTrace() throws Exception {
        try (var logs = LogCapture.of("")) {
            var res = twilio.post(server + "/twilio/voice", Map.of(), "x");
            var raw = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server + "/twilio/voice"))
                               .header("Content-Type", "application/x-www-form-urlencoded")
                               .header("X-Twilio-Signature", "x")
                               .POST(HttpRequest.BodyPublishers.ofString("CallSid=CA%zz&To=%2")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(raw.statusCode()).isEqualTo(400);
            assertThat(raw.body()).contains("malformed");
            assertThat(res.statusCode()).as("an empty form, wrongly signed").isEqualTo(403);
            assertThat(logs.records()).noneMatch(r -> r.getThrown() != null);
        }
    }

    @Test
    void aHugeNumberOfParametersIsRefusedEvenWhenSigned() throws Exception {
        var params = twilio.callParams("CA10", "+15551230000", "+15550001111");
        var many = new LinkedHashMap<>(params);
        for (int i = 0; many.size() < 10_000; i++) {
            many.put(Integer.toString(i, 36), "");
        }
        var url = server + "/twilio/voice";
        var res = twilio.post(url, many, TwilioSigner.sign(TestSettings.AUTH_TOKEN, url, many));
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.body()).contains("too many parameters");
    }

    /** A POST written by hand; returns the status line and whatever else arrived within 10 s. */
    private String rawPost(String path, String headers, String body) throws IOException {
        try (var socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            var request = "POST " + path + " HTTP/1.1\r\nHost: " + server.getRawAuthority()
                          + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" + headers + "\r\n" + body;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            var in = socket.getInputStream();
            var response = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && response.indexOf("\r\n") < 0) {
                response.append((char) c);
            }
            return response.toString();
        }
    }
}
