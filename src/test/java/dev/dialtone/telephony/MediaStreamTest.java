package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.Test;

import dev.dialtone.Main;
import dev.dialtone.Parts;
import dev.dialtone.TestSettings;
import dev.dialtone.audio.Frames;
import dev.dialtone.audio.Playout;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeTwilio;

@ServerTest
class MediaStreamTest {
    /** Calls answered by the server, by call sid: what the per-call object saw. */
    private static final Map<String, TestCall> CALLS = new ConcurrentHashMap<>();
    private static Parts parts;

    private final URI server;
    private final FakeTwilio twilio;

    MediaStreamTest(URI server) {
        this.server = FakeTwilio.base(server);
        this.twilio = new FakeTwilio(server, TestSettings.AUTH_TOKEN);
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder builder) {
        parts = Parts.create(TestSettings.with(Map.of()), Clock.systemUTC(), (start, out) -> {
            var call = new TestCall(start, out);
            CALLS.put(start.callSid(), call);
            return call;
        });
        Main.setUp(builder, parts);
    }

    /**
     * A per-call object for these tests: it records the events, and plays audio when the caller
     * presses keys: "1" plays 500 ms + mark a + 500 ms + mark b through a paced {@link Playout};
     * "2" dumps 3 s + mark long at once; "3" sends clear.
     */
    static final class TestCall implements CallHandler {
        final StreamEvent.Start start;
        final OutboundStream out;
        final List<StreamEvent> events = new CopyOnWriteArrayList<>();
        final Playout playout;
        volatile boolean closed;

        TestCall(StreamEvent.Start start, OutboundStream out) {
            this.start = start;
            this.out = out;
            this.playout = new Playout(new Playout.Sink() {
                public void audio(byte[] frame) {
                    out.send(new StreamCommand.Media(frame));
                }

                public void mark(String name) {
                    out.send(new StreamCommand.Mark(name));
                }

                public void clear() {
                    out.send(new StreamCommand.Clear());
                }
            }, Duration.ofMillis(100), start.callSid());
        }

        @Override
        public void onEvent(StreamEvent event) {
            events.add(event);
            if (event instanceof StreamEvent.Dtmf dtmf) {
                switch (dtmf.digit()) {
                    case "1" -> {
                        playFrames(FakeAudio.tone(300, 500));
                        playout.mark("a");
                        playFrames(FakeAudio.tone(500, 500));
                        playout.mark("b");
                    }
                    case "2" -> {
                        out.send(new StreamCommand.Media(FakeAudio.tone(700, 3000)));
                        out.send(new StreamCommand.Mark("long"));
                    }
                    case "3" -> playout.clear();
                    default -> {
                    }
                }
            }
        }

        private void playFrames(byte[] audio) {
            var frames = new Frames();
            frames.add(audio).forEach(playout::audio);
            frames.flush().forEach(playout::audio);
        }

        @Override
        public void onStreamClosed(String reason) {
            closed = true;
            playout.close();
        }

        long audioBytes() {
            return events.stream().filter(e -> e instanceof StreamEvent.Media)
                         .mapToLong(e -> ((StreamEvent.Media) e).payload().length).sum();
        }
    }

    @Test
    void aCallConnectsStreamsTenSecondsAndEndsCleanly() throws Exception {
        try (var call = twilio.dial("+15551230000", "+15550001111")) {
            var server = awaitCall(call.callSid());
            assertThat(server.start.parameter("to")).isEqualTo("+15550001111");
            assertThat(parts.calls().get(call.callSid())).isPresent();

            call.sendAudio(FakeAudio.concat(FakeAudio.tone(440, 5000), FakeAudio.silence(5000)));
            call.stop();

            assertThat(call.isClosed()).isTrue();
            assertThat(call.closeStatus()).isEqualTo(1000);
            assertThat(server.audioBytes()).isEqualTo(80_000);
            assertThat(server.events).last().isInstanceOf(StreamEvent.Stop.class);
            awaitTrue(() -> server.closed);
            assertThat(parts.calls().get(call.callSid())).isEmpty();
        }
        assertThat(metrics()).containsPattern("dialtone_twilio_messages_in_total\\{event=\"media\"} [1-9]");
    }

    @Test
    void anUpgradeWithABadOrMissingSignatureIsRefusedBeforeAnyMessage() throws Exception {
        var twiml = twilio.voiceWebhook(twilio.callParams("CAbad", "+15551230000", "+15550001111"));
        assertThatThrownBy(() -> new FakeTwilio(server, "wrong-token").openStream("CAbad", twiml))
                .isInstanceOf(IOException.class).hasMessageContaining("refused");
        assertThatThrownBy(() -> new FakeTwilio(server, "").openStream("CAbad", twiml))
                .isInstanceOf(IOException.class);
        assertThat(CALLS).doesNotContainKey("CAbad");
        assertThat(metrics()).containsPattern("dialtone_twilio_upgrades_refused_total [2-9]");
    }

    @Test
    void badInputIsDroppedAndAConcurrentCallIsUnaffected() throws Exception {
        try (var healthy = twilio.dial("+15551110000", "+15550001111");
             var noisy = twilio.dial("+15552220000", "+15550001111")) {
            var streaming = Executors.newVirtualThreadPerTaskExecutor()
                    .submit(() -> healthy.sendAudio(FakeAudio.tone(440, 2000)));

            noisy.sendRaw("{this is not json");
            noisy.sendRaw("{\"event\":\"dance\",\"streamSid\":\"" + noisy.streamSid() + "\"}");
            noisy.sendRaw("{\"event\":\"media\",\"media\":{\"payload\":\"%%%\"}}");
            noisy.sendMedia(FakeAudio.tone(440, 20));
            var noisyCall = awaitCall(noisy.callSid());
            awaitTrue(() -> noisyCall.audioBytes() == 160);
            noisy.sendRaw("{\"event\":\"media\",\"pad\":\"" + "x".repeat(100_000) + "\"}");
            assertThat(noisy.awaitClosed(Duration.ofSeconds(5))).isTrue();
            assertThat(noisy.closeStatus()).isEqualTo(1009);

            streaming.get();
            healthy.stop();
            assertThat(healthy.closeStatus()).isEqualTo(1000);
            assertThat(awaitCall(healthy.callSid()).audioBytes()).isEqualTo(16_000);
            assertThat(noisyCall.events).hasSize(1).allMatch(e -> e instanceof StreamEvent.Media);
        }
        var m = metrics();
        assertThat(m).containsPattern("dialtone_twilio_messages_rejected_total\\{reason=\"malformed\"} [3-9]");
    }

    @Test
    void mediaBeforeStartIsDroppedAndTheCallStillStarts() throws Exception {
        var twiml = twilio.voiceWebhook(twilio.callParams("CAearly", "+15551230000", "+15550001111"));
        try (var call = twilio.connectOnly("CAearly", twiml)) {
            call.sendMedia(FakeAudio.tone(440, 20));
            call.dtmf("5");
            call.begin();
            call.sendMedia(FakeAudio.tone(440, 20));
            var server = awaitCall("CAearly");
            awaitTrue(() -> server.audioBytes() == 160);
            assertThat(server.events).noneMatch(e -> e instanceof StreamEvent.Dtmf);
            call.stop();
        }
        assertThat(metrics()).containsPattern("dialtone_twilio_messages_rejected_total\\{reason=\"before-start\"} [2-9]");
    }

    @Test
    void pacedAudioPlaysInRealTimeAndMarksComeBackWhenReached() throws Exception {
        try (var call = twilio.dial("+15551230000", "+15550001111")) {
            var server = awaitCall(call.callSid());
            call.dtmf("1");
            assertThat(call.awaitMark("b", Duration.ofSeconds(5))).isTrue();
            assertThat(call.echoedMarks()).containsExactly("a", "b");
            var heard = call.heard();
            assertThat(call.heardAudio()).hasSize(8000);
            long first = heard.getFirst().atNanos();
            var media = call.received("media");
            // paced: Twilio never held much more than the 100 ms lead (plus scheduling slack)
            for (var m : media) {
                long sentBefore = media.stream().filter(x -> x.atNanos() <= m.atNanos()).count() * 160;
                long playedMs = Math.max(0, (m.atNanos() - first) / 1_000_000);
                assertThat(sentBefore / 8 - playedMs).isLessThan(250);
            }
            awaitTrue(() -> server.events.stream().filter(e -> e instanceof StreamEvent.Mark).count() == 2);
            call.stop();
        }
    }

    @Test
    void clearEmptiesTwilioBufferAndEchoesPendingMarksAtOnce() throws Exception {
        try (var call = twilio.dial("+15551230000", "+15550001111")) {
            awaitCall(call.callSid());
            call.dtmf("2");
            awaitTrue(() -> call.heard().size() > 10);
            long before = System.nanoTime();
            call.dtmf("3");
            assertThat(call.awaitMark("long", Duration.ofSeconds(1))).isTrue();
            assertThat((System.nanoTime() - before) / 1_000_000).isLessThan(900);
            assertThat(call.heardAudio().length).isLessThan(24_000);
            call.stop();
        }
    }

    private static TestCall awaitCall(String callSid) {
        awaitTrue(() -> CALLS.containsKey(callSid));
        return CALLS.get(callSid);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        dev.dialtone.Await.until(condition, Duration.ofSeconds(5));
    }

    private String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server + "/observe/metrics")).build(),
                                               HttpResponse.BodyHandlers.ofString()).body();
    }
}
