package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.dialtone.Await;
import dev.dialtone.LogCapture;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeDeepgramStt;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeTwilio;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.fakes.RawTwilioStream;

/**
 * A call ends when its stream ends, however it ends: the connection dropped without a close frame
 * (FIN or reset), a frame or message over the size limit, a flood, or silence. Ended means the
 * STT stream is closed, the LLM request in flight is cancelled, the record is completed with the
 * reason, the call has left the live lists and the gauge is back down: within 5 s.
 */
class StreamEndTest {
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            stt: { provider: deepgram, endpointing: 300 }
            llm: { provider: openai }
            tts: { provider: deepgram }
            turn: { silence_reprompt_s: 60 }
            """;
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    /** A call on a raw socket whose caller has spoken and whose reply the LLM is still thinking about. */
    private record LiveCall(String callSid, String streamSid, RawTwilioStream raw, FakeDeepgramStt.Connection stt,
                            FakeLlmServer.Received llm) {
    }

    private LiveCall callWaitingForTheLlm(Map<String, String> env) throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), env);
        world.stt.script("I'd like a pizza");
        world.llm.timeToFirstToken(Duration.ofSeconds(60)).enqueue(Reply.text("Sure."));
        var callSid = FakeTwilio.newSid("CA");
        var streamSid = FakeTwilio.newSid("MZ");
        var twiml = world.twilio.voiceWebhook(world.twilio.callParams(callSid, FakeWorld.CALLER, FakeWorld.NUMBER));
        var raw = world.twilio.raw(twiml);
        raw.sendText(RawTwilioStream.start(callSid, streamSid, world.twilio.accountSid(), twiml.parameters()));
        var stt = world.stt.awaitConnection(0, 10_000);
        // speech then the silence that ends the turn, faster than real time (the fake STT keeps the audio's clock)
        var audio = FakeAudio.concat(FakeAudio.tone(440, 600), FakeAudio.silence(700));
        for (int at = 0, chunk = 1; at < audio.length; at += 160, chunk++) {
            raw.sendText(RawTwilioStream.media(streamSid, chunk, Arrays.copyOfRange(audio, at, at + 160)));
        }
        var llm = world.llm.awaitRequest(10_000);
        assertThat(llm).as("the caller's turn reached the LLM").isNotNull();
        assertThat(world.parts.calls().get(callSid)).isPresent();
        return new LiveCall(callSid, streamSid, raw, stt, llm);
    }

    /** Everything the call held is released within 5 s of {@code sinceNanos}, and the record says why. */
    private void assertEnded(LiveCall call, long sinceNanos, String reason) throws Exception {
        long deadline = sinceNanos + FIVE_SECONDS.toNanos();
        assertThat(call.stt().awaitReadingDone(millisUntil(deadline))).as("STT stream closed").isTrue();
        assertThat(call.llm().awaitClientClose(millisUntil(deadline))).as("LLM request cancelled").isTrue();
        Await.until(() -> world.parts.switchboard().active(call.callSid()).isEmpty()
                          && world.parts.calls().get(call.callSid()).isEmpty(),
                    Duration.ofMillis(millisUntil(deadline)));
        var transcript = world.parts.switchboard().transcript(call.callSid()).orElseThrow();
        assertThat(transcript.endedAt()).isPresent();
        assertThat(transcript.endReason()).hasValueSatisfying(r -> assertThat(r).contains(reason));
        assertThat(metrics()).contains("dialtone_calls_active 0.0");
    }

    @ParameterizedTest(name = "reset={0}")
    @ValueSource(booleans = {false, true})
    void aConnectionDroppedWithoutACloseFrameEndsTheCall(boolean reset) throws Exception {
        // a minute of idle time: only noticing the dropped connection itself ends the call in 5 s
        var call = callWaitingForTheLlm(Map.of("DIALTONE_STREAM_IDLE_MS", "60000"));
        long dropped = System.nanoTime();
        if (reset) {
            call.raw().reset();
        } else {
            call.raw().dropWithoutCloseFrame();
        }
        assertEnded(call, dropped, "connection lost");
    }

    @Test
    void aFrameOverTheLimitEndsTheCall() throws Exception {
        var call = callWaitingForTheLlm(Map.of("DIALTONE_STREAM_IDLE_MS", "60000"));
        long sent = System.nanoTime();
        try {
            call.raw().write(RawTwilioStream.frame(0x1, true, new byte[70_000]));
        } catch (IOException e) {
            // the server may close before the whole frame is written
        }
        assertThat(call.raw().awaitClose(FIVE_SECONDS)).isEqualTo(1009);
        // Helidon refuses the frame from its header and drops the socket itself, telling no listener
        assertEnded(call, sent, "connection lost");
    }

    @Test
    void aMessageOverTheLimitInFragmentsEndsTheCallEvenIfThePeerNeverAnswersTheClose() throws Exception {
        var call = callWaitingForTheLlm(Map.of("DIALTONE_STREAM_IDLE_MS", "60000"));
        long sent = System.nanoTime();
        call.raw().write(RawTwilioStream.frame(0x1, false, new byte[40_000]));
        call.raw().write(RawTwilioStream.frame(0x0, false, new byte[40_000]));
        assertThat(call.raw().awaitClose(FIVE_SECONDS)).isEqualTo(1009);
        // this peer keeps its socket open and never sends a close frame of its own
        assertEnded(call, sent, "1009");
    }

    @Test
    void noMessageForTheIdleTimeoutEndsTheCall() throws Exception {
        var call = callWaitingForTheLlm(Map.of("DIALTONE_STREAM_IDLE_MS", "1000"));
        long lastMessage = System.nanoTime();
        assertEnded(call, lastMessage, "no message");
    }

    @Test
    void aFloodIsThrottledThenClosedWith1008AndLoggedOnceASecond() throws Exception {
        var call = callWaitingForTheLlm(Map.of("DIALTONE_STREAM_IDLE_MS", "60000"));
        var frames = new ByteArrayOutputStream();
        var silence = FakeAudio.silence(20);
        for (int i = 0; i < 20_000; i++) {
            frames.writeBytes(RawTwilioStream.frame(0x1, true,
                    RawTwilioStream.media(call.streamSid(), 100 + i, silence).getBytes(StandardCharsets.UTF_8)));
        }
        try (var logs = LogCapture.of("dev.dialtone.telephony")) {
            long started = System.nanoTime();
            var writer = Thread.ofVirtual().start(() -> {
                try {
                    call.raw().write(frames.toByteArray());
                } catch (IOException e) {
                    // the server closed the socket part-way through: expected
                }
            });
            assertThat(call.raw().awaitClose(Duration.ofSeconds(20))).isEqualTo(1008);
            assertEnded(call, System.nanoTime(), "too many messages");
            writer.join(Duration.ofSeconds(20));
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            var dropLines = logs.messages().stream().filter(m -> m.contains(call.callSid()) && m.contains("dropped")).toList();
            assertThat(dropLines).as("drop reports, at most one a second (plus the last one at the close)")
                                 .isNotEmpty().hasSizeLessThanOrEqualTo((int) seconds + 2);
        }
        assertThat(metrics()).containsPattern("dialtone_twilio_messages_rejected_total\\{reason=\"rate-limited\"} [1-9]\\d{2,}");
    }

    private static long millisUntil(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    private String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(world.url() + "/observe/metrics")).build(),
                                               HttpResponse.BodyHandlers.ofString()).body();
    }
}
