package dev.dialtone.speech.elevenlabs;

import dev.dialtone.net.Json;
import dev.dialtone.fakes.FakeElevenLabs;
import dev.dialtone.fakes.FakeServerFault;
import dev.dialtone.fakes.FakeTtsServer;
import dev.dialtone.net.EventRecorder;
import dev.dialtone.net.ProviderError;
import dev.dialtone.speech.FallbackTextToSpeech;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ElevenLabsTextToSpeechTest {
    private static final TtsOptions VOICE = new TtsOptions("voice123", "eleven_flash_v2_5");

    private final FakeElevenLabs fake = new FakeElevenLabs("xi-secret");
    private final EventRecorder<TtsEvent> events = new EventRecorder<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    private TextToSpeech socket() {
        return new ElevenLabsTextToSpeech(fake.baseUrl(), "xi-secret", Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    private TextToSpeech http() {
        return new ElevenLabsHttpTextToSpeech(fake.baseUrl(), "xi-secret", Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    private byte[] audioOf(long segmentId) throws InterruptedException {
        var audio = new ByteArrayOutputStream();
        while (true) {
            switch (events.next(2000)) {
                case TtsEvent.Audio a when a.segmentId() == segmentId -> audio.writeBytes(a.mulaw());
                case TtsEvent.SegmentDone d when d.segmentId() == segmentId -> {
                    return audio.toByteArray();
                }
                case TtsEvent other -> throw new AssertionError("unexpected " + other + " while collecting segment " + segmentId);
            }
        }
    }

    @Test
    void theFlowsVoiceSettingsAreSentAsTheyAreOverBothTransports() throws Exception {
        var tuned = new TtsOptions("voice123", "eleven_flash_v2_5",
                Map.of("stability", 0.3, "similarity_boost", 0.6, "style", 0.2, "speed", 1.1));
        var expected = Json.MAPPER.readTree("{\"similarity_boost\":0.6,\"speed\":1.1,\"stability\":0.3,\"style\":0.2}");
        var session = socket().open(tuned, events);
        session.speak(1, "Hello there.");
        audioOf(1);
        session.close();
        var rest = http().open(tuned, events);
        rest.speak(2, "Hello again.");
        audioOf(2);
        rest.close();

        // Exactly the flow's settings, none of ours: any field sent overrides the voice's saved one.
        assertThat(fake.awaitSocket(0, 2000).messages().getFirst().path("voice_settings")).isEqualTo(expected);
        assertThat(fake.awaitRequest(2000).body().path("voice_settings")).isEqualTo(expected);
    }

    @Test
    void aFlowThatSetsNoVoiceSettingsSendsNoneSoTheVoiceKeepsItsOwn() throws Exception {
        var session = socket().open(VOICE, events);
        session.speak(1, "Hello there.");
        audioOf(1);
        session.close();
        var rest = http().open(VOICE, events);
        rest.speak(2, "And again.");
        audioOf(2);
        rest.close();

        var first = fake.sockets().getFirst().messages().getFirst();
        assertThat(first.path("text").asText()).isEqualTo(" ");
        assertThat(first.has("voice_settings")).isFalse();
        assertThat(fake.awaitRequest(2000).body().has("voice_settings")).isFalse();
    }

    @Test
    void anInvalidKeyIsANonRetryableAuthErrorOnTheSocketAndOverHttp() throws Exception {
        var session = new ElevenLabsTextToSpeech(fake.baseUrl(), "xi-wrong", Duration.ofSeconds(2), Duration.ofSeconds(2))
                .open(VOICE, events);
        session.speak(1, "Hello.");
        var onSocket = (TtsEvent.Failed) events.next(3000);
        session.close();
        var rest = new ElevenLabsHttpTextToSpeech(fake.baseUrl(), "xi-wrong", Duration.ofSeconds(2), Duration.ofSeconds(2))
                .open(VOICE, events);
        rest.speak(2, "Hello.");
        var overHttp = (TtsEvent.Failed) events.next(3000);
        rest.close();

        // The socket opens, then the service answers with its error message and closes with 1008.
        assertThat(fake.awaitSocket(0, 1000).errorsSent()).extracting(e -> e.path("message").asText()).containsExactly("Invalid API Key");
        assertThat(onSocket.segmentId()).hasValue(1);
        assertThat(onSocket.error().kind()).isEqualTo(ProviderError.Kind.AUTH);
        assertThat(onSocket.error().retryable()).isFalse();
        assertThat(onSocket.error().message()).contains("Invalid API Key");
        assertThat(overHttp.segmentId()).hasValue(2);
        assertThat(overHttp.error().kind()).isEqualTo(ProviderError.Kind.AUTH);
        assertThat(overHttp.error().retryable()).isFalse();
        assertThat(overHttp.error().message()).isEqualTo("HTTP 401: invalid_api_key: Invalid API key");
        assertThat(onSocket.error() + " " + overHttp.error()).doesNotContain("xi-wrong");
    }

    @Test
    void voiceSettingsOutOfRangeAreRefusedByTheServiceAsANonRetryableProtocolErrorOnBothTransports() throws Exception {
        var tooFast = new TtsOptions("voice123", "eleven_flash_v2_5", Map.of("speed", 1.5));
        var session = socket().open(tooFast, events);
        session.speak(1, "Hello.");
        var onSocket = (TtsEvent.Failed) events.next(3000);
        session.close();
        var rest = http().open(tooFast, events);
        rest.speak(2, "Hello.");
        var overHttp = (TtsEvent.Failed) events.next(3000);
        rest.close();

        assertThat(List.of(onSocket.error(), overHttp.error())).allSatisfy(error -> {
            assertThat(error.kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
            assertThat(error.retryable()).isFalse();
            assertThat(error.message()).contains("speed must be a number from 0.7 to 1.2");
        });
        assertThat(overHttp.error().message()).startsWith("HTTP 422: ");
    }

    @Test
    void socketSpeaksEachSegmentWithExactlyItsAudio() throws Exception {
        var session = socket().open(VOICE, events);
        session.speak(1, "Hello there.");
        session.speak(2, "What would you like?");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("Hello there.", 20));
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("What would you like?", 20));
        var first = fake.sockets().getFirst();
        assertThat(first.path()).isEqualTo("/v1/text-to-speech/voice123/stream-input");
        assertThat(first.query("model_id")).isEqualTo("eleven_flash_v2_5");
        assertThat(first.query("output_format")).isEqualTo("ulaw_8000");
        assertThat(first.query("inactivity_timeout")).isEqualTo("180");
        assertThat(first.apiKey()).isEqualTo("xi-secret");
        var messages = first.messages();
        assertThat(messages.get(0).path("text").asText()).isEqualTo(" ");
        assertThat(messages.get(1).path("text").asText()).isEqualTo("Hello there. ");
        assertThat(messages.get(1).path("flush").asBoolean()).isTrue();
        assertThat(messages.get(2).path("text").asText()).isEmpty();
        session.close();
    }

    @Test
    void cancelDropsTheSegmentBeingSpokenAndTheQueuedOnes() throws Exception {
        fake.chunkBytes(160).chunkInterval(Duration.ofMillis(20));
        var session = socket().open(VOICE, events);
        session.speak(1, "A long answer the caller will talk over before it ends.");
        session.speak(2, "Never heard.");
        assertThat(events.next(2000)).isInstanceOf(TtsEvent.Audio.class);

        session.cancel();
        assertThat(events.drain()).allMatch(e -> e instanceof TtsEvent.Audio a && a.segmentId() == 1);
        session.speak(3, "Go ahead.");
        assertThat(audioOf(3)).isEqualTo(FakeTtsServer.synthesize("Go ahead.", 20));
        events.assertQuiet(100);
        session.close();
    }

    @Test
    void aSocketIdlePastItsInactivityTimeoutIsClosedByTheServiceAndTheNextSegmentStillSpeaksOnASocket() throws Exception {
        var tts = new ElevenLabsTextToSpeech(fake.baseUrl(), "xi-secret", Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(1));
        var session = new FallbackTextToSpeech(tts, http()).open(VOICE, events);
        var idle = fake.awaitSocket(0, 2000);
        assertThat(idle.query("inactivity_timeout")).isEqualTo("1");
        assertThat(idle.awaitServed(10_000)).as("closed by the fake after 1 s without text").isTrue();
        assertThat(idle.closeCode()).isEqualTo(1008);
        assertThat(idle.errorsSent()).extracting(e -> e.path("error").asText()).containsExactly("input_timeout_exceeded");

        session.speak(1, "Still here.");
        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("Still here.", 20));
        assertThat(fake.requests()).as("no HTTP fallback").isEmpty();
        assertThat(idle.messages()).hasSize(1); // only its opening message: the segment went to a live socket
        events.assertQuiet(50);
        session.close();
    }

    @Test
    void aSocketTheServiceClosesForInactivityJustAsTheSegmentArrivesIsReplacedWithoutFallingBack() throws Exception {
        fake.expireNextSocketAtFirstText(); // the socket opened ahead of the first segment
        var session = new FallbackTextToSpeech(socket(), http()).open(VOICE, events);
        session.speak(1, "Still here.");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("Still here.", 20));
        assertThat(fake.requests()).as("no HTTP fallback").isEmpty();
        var expired = fake.awaitSocket(0, 2000);
        assertThat(expired.messages()).extracting(m -> m.path("text").asText()).startsWith(" ", "Still here. ");
        assertThat(expired.errorsSent()).extracting(e -> e.path("error").asText()).containsExactly("input_timeout_exceeded");
        assertThat(expired.closeCode()).isEqualTo(1008);
        assertThat(fake.awaitSocket(1, 2000).messages().get(1).path("text").asText()).isEqualTo("Still here. ");
        events.assertQuiet(50);
        session.close();
    }

    @Test
    void aRefusedSocketFailsTheSegmentAndTheFallbackSpeaksItOverHttp() throws Exception {
        for (int i = 0; i < 4; i++) {
            fake.failNextConnection(FakeServerFault.SERVER_ERROR);
        }
        var session = new FallbackTextToSpeech(socket(), http()).open(VOICE, events);
        session.speak(1, "One.");
        session.speak(2, "Two.");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("One.", 20));
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("Two.", 20));
        var request = fake.awaitRequest(1000);
        assertThat(request.exchange().path()).isEqualTo("/v1/text-to-speech/voice123/stream");
        assertThat(request.exchange().query("output_format")).hasValue("ulaw_8000");
        assertThat(request.body().path("model_id").asText()).isEqualTo("eleven_flash_v2_5");
        session.close();
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH", "RATE_LIMITED,RATE_LIMIT", "SERVER_ERROR,SERVER", "REFUSE,NETWORK",
            "GARBAGE,PROTOCOL", "STALL,TIMEOUT"})
    void socketFaultsFailTheSegmentWithATypedError(FakeServerFault fault, ProviderError.Kind kind) throws Exception {
        for (int i = 0; i < 6; i++) {
            fake.failNextConnection(fault); // the pre-opened socket and the JDK's own retry take some
        }
        var session = new ElevenLabsTextToSpeech(fake.baseUrl(), "xi-secret", Duration.ofMillis(300), Duration.ofSeconds(2))
                .open(VOICE, events);
        session.speak(1, "Hello.");

        var failed = (TtsEvent.Failed) events.next(3000);
        assertThat(failed.segmentId()).hasValue(1);
        assertThat(failed.error().kind()).isEqualTo(kind);
        assertThat(failed.error().toString()).doesNotContain("xi-secret");
        session.close();
    }

    @Test
    void aSocketDroppedMidSegmentFailsThatSegmentAndTheNextOneStillPlays() throws Exception {
        fake.chunkBytes(160).dropSocketAfterChunks(2);
        // The socket reports the reset; the segment's idle timeout stays as the defence for a
        // connection that goes silent without one.
        var session = new ElevenLabsTextToSpeech(fake.baseUrl(), "xi-secret", Duration.ofSeconds(2), Duration.ofMillis(400))
                .open(VOICE, events);
        session.speak(1, "This answer is cut off part-way through.");
        session.speak(2, "This one plays.");

        var first = events.until(TtsEvent.Failed.class, 2000);
        assertThat(first.subList(0, first.size() - 1)).allMatch(e -> e instanceof TtsEvent.Audio a && a.segmentId() == 1);
        assertThat(((TtsEvent.Failed) first.getLast()).segmentId()).hasValue(1);
        assertThat(((TtsEvent.Failed) first.getLast()).error().kind()).isIn(ProviderError.Kind.NETWORK, ProviderError.Kind.TIMEOUT);
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("This one plays.", 20));
        session.close();
    }

    @Test
    void httpStreamsTheAudio() throws Exception {
        var session = http().open(VOICE, events);
        session.speak(4, "Your table is booked.");
        assertThat(audioOf(4)).isEqualTo(FakeTtsServer.synthesize("Your table is booked.", 20));
        assertThat(fake.awaitRequest(1000).exchange().header("xi-api-key")).hasValue("xi-secret");
        session.close();
    }

    @Test
    void aJsonBodyWithStatus200IsAnErrorNotAudio() throws Exception {
        fake.jsonWith200Next();
        var session = http().open(VOICE, events);
        session.speak(1, "Hello.");

        var failed = events.next(2000);
        assertThat(failed).isInstanceOf(TtsEvent.Failed.class);
        assertThat(((TtsEvent.Failed) failed).error().kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
        assertThat(((TtsEvent.Failed) failed).error().message()).contains("quota");
        session.close();
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH", "RATE_LIMITED,RATE_LIMIT", "SERVER_ERROR,SERVER", "DROP_MID_STREAM,NETWORK"})
    void httpFaultsAreTypedAndErrorBodiesNeverPlay(FakeServerFault fault, ProviderError.Kind kind) throws Exception {
        fake.failNextRequest(fault);
        var session = http().open(VOICE, events);
        session.speak(1, "Hello, this is a sentence long enough to be cut in the middle.");

        var received = events.until(TtsEvent.Failed.class, 2000);
        var failed = (TtsEvent.Failed) received.getLast();
        assertThat(failed.error().kind()).isEqualTo(kind);
        assertThat(failed.error().toString()).doesNotContain("xi-secret");
        if (fault != FakeServerFault.DROP_MID_STREAM) {
            assertThat(received).hasSize(1); // not one byte of the JSON body was played
        }
        session.close();
    }
}
