package dev.dialtone.speech.deepgram;

import dev.dialtone.fakes.FakeDeepgramStt;
import dev.dialtone.net.EventRecorder;
import dev.dialtone.net.ProviderError;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.SttOptions;
import dev.dialtone.speech.SttSession;
import dev.dialtone.speech.TurnThresholds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Flux client ({@code /v2/listen}) against the fake at the wire: turn events on the audio clock,
 * an eager end of turn, a resumed turn, Configure mid-stream and after a reconnect, faults.
 * The fake's confidence climbs over 800 ms of silence: eager (0.5) after 400 ms, end (0.7) after 560 ms.
 */
class FluxSpeechToTextTest {
    private static final DeepgramSpeechToText.Timing FAST = new DeepgramSpeechToText.Timing(Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(1), List.of(Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(10)));
    private static final SttOptions FLUX = new SttOptions("flux-general-en", "en-US", OptionalInt.empty(), OptionalInt.empty(),
            List.of("Dr. Okafor"), true, new TurnThresholds(OptionalDouble.of(0.7), OptionalInt.of(5000)), OptionalDouble.of(0.5));

    /** Generous: the first socket of a JVM on a busy machine takes seconds; a passing test never waits this long. */
    private static final long WAIT = 10_000;

    private final FakeDeepgramStt fake = new FakeDeepgramStt("dg-secret");
    private final EventRecorder<SttEvent> events = new EventRecorder<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    private SttSession open(SttOptions options) {
        return new DeepgramSpeechToText(fake.baseUrl(), "dg-secret", FAST).open(options, events);
    }

    private static void send(SttSession session, byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (var part : parts) {
            out.writeBytes(part);
        }
        var audio = out.toByteArray();
        for (int i = 0; i < audio.length; i += 160) {
            session.sendAudio(Arrays.copyOfRange(audio, i, Math.min(i + 160, audio.length)));
        }
    }

    @Test
    void aTurnIsStartedUpdatedEagerlyEndedThenEndedWithTheSameTranscript() throws Exception {
        fake.script("I need to move my appointment");
        var session = open(FLUX);
        send(session, FakeDeepgramStt.silence(500), FakeDeepgramStt.tone(440, 2400), FakeDeepgramStt.silence(1000));

        assertThat(events.next(SttEvent.SpeechStarted.class, WAIT).seconds()).isCloseTo(0.5, within(0.03));
        var untilEager = events.until(SttEvent.EagerEndOfTurn.class, WAIT);
        var interims = untilEager.stream().filter(SttEvent.Interim.class::isInstance).map(SttEvent.Interim.class::cast).toList();
        // one Update per 240 ms of audio (2.4 s of speech, 0.4 s of silence), not one per frame: a real line's cadence
        assertThat(interims).hasSizeBetween(10, 12);
        assertThat(interims.getFirst().text()).isEqualTo("I");
        var eager = (SttEvent.EagerEndOfTurn) untilEager.getLast();
        assertThat(eager.text()).isEqualTo("I need to move my appointment");
        var fin = events.next(SttEvent.Final.class, WAIT);
        assertThat(fin.text()).isEqualTo(eager.text());
        assertThat(fin.speechFinal()).isTrue();
        assertThat(fin.words()).hasSize(6);
        assertThat(fin.words().getFirst().start()).isCloseTo(0.5, within(0.05));

        var connection = fake.awaitConnection(0, 1000);
        assertThat(connection.query("model")).isEqualTo("flux-general-en");
        assertThat(connection.query("encoding")).isEqualTo("mulaw");
        assertThat(connection.query("sample_rate")).isEqualTo("8000");
        assertThat(connection.query("eot_threshold")).isEqualTo("0.7");
        assertThat(connection.query("eager_eot_threshold")).isEqualTo("0.5");
        assertThat(connection.query("eot_timeout_ms")).isEqualTo("5000");
        assertThat(connection.queryAll("keyterm")).containsExactly("Dr. Okafor");
        assertThat(connection.query("endpointing")).isNull(); // a Nova parameter, not Flux's
        assertThat(connection.authorization()).isEqualTo("Token dg-secret");
        session.close();
        events.next(SttEvent.Closed.class, WAIT);
        assertThat(connection.controls()).containsExactly("CloseStream");
    }

    @Test
    void aPauseBetweenTheEagerAndTheRealEndResumesTheTurn() throws Exception {
        fake.script("my date of birth is", "March third 1980");
        var session = open(FLUX);
        // 450 ms: past the eager point (400), short of the end (560)
        send(session, FakeDeepgramStt.tone(440, 1200), FakeDeepgramStt.silence(450),
                FakeDeepgramStt.tone(440, 1000), FakeDeepgramStt.silence(1000));

        var eager = events.next(SttEvent.EagerEndOfTurn.class, WAIT);
        assertThat(eager.text()).isEqualTo("my date of birth is");
        var between = events.until(SttEvent.Final.class, WAIT);
        assertThat(between.getFirst()).isInstanceOf(SttEvent.TurnResumed.class);
        assertThat(between).filteredOn(SttEvent.EagerEndOfTurn.class::isInstance).hasSize(1);
        var fin = (SttEvent.Final) between.getLast();
        assertThat(fin.text()).isEqualTo("my date of birth is March third 1980");
        assertThat(between.get(between.size() - 2)).isInstanceOfSatisfying(SttEvent.EagerEndOfTurn.class,
                again -> assertThat(again.text()).isEqualTo(fin.text()));
        session.close();
    }

    @Test
    void configureRaisesTheThresholdFromThatPointOfTheAudioOn() throws Exception {
        fake.script("yes", "my number is", "five five five", "one two", "thanks", "bye");
        var noEager = new SttOptions(FLUX.model(), "en-US", OptionalInt.empty(), OptionalInt.empty(), List.of(), true,
                FLUX.turn(), OptionalDouble.empty());
        var session = open(noEager);
        // 650 ms of silence: confidence 0.81, over the default 0.7
        send(session, FakeDeepgramStt.tone(440, 500), FakeDeepgramStt.silence(650));
        assertThat(events.next(SttEvent.Final.class, WAIT).text()).isEqualTo("yes");

        assertThat(session.adjustTurnEnd(new TurnThresholds(OptionalDouble.of(0.9), OptionalInt.of(8000)))).isTrue();
        send(session, FakeDeepgramStt.tone(440, 800), FakeDeepgramStt.silence(650), FakeDeepgramStt.tone(440, 800),
                FakeDeepgramStt.silence(650), FakeDeepgramStt.tone(440, 600), FakeDeepgramStt.silence(900));
        var fin = events.next(SttEvent.Final.class, WAIT);
        assertThat(fin.text()).isEqualTo("my number is five five five one two");
        assertThat(fake.awaitConnection(0, 1000).controls()).containsExactly("Configure");

        // back to the defaults: a 650 ms pause ends the turn again
        assertThat(session.adjustTurnEnd(TurnThresholds.NONE)).isTrue();
        send(session, FakeDeepgramStt.tone(440, 500), FakeDeepgramStt.silence(650), FakeDeepgramStt.tone(440, 500),
                FakeDeepgramStt.silence(650));
        assertThat(events.next(SttEvent.Final.class, WAIT).text()).isEqualTo("thanks");
        assertThat(events.next(SttEvent.Final.class, WAIT).text()).isEqualTo("bye");
        session.close();
    }

    @Test
    void aDroppedSocketIsReplacedWithTheThresholdsConfiguredAgainAndTheTurnStillEnds() throws Exception {
        fake.script("the address is", "12 Elm Street");
        var session = open(FLUX);
        session.adjustTurnEnd(new TurnThresholds(OptionalDouble.of(0.9), OptionalInt.of(8000)));
        fake.dropAfterAudioBytes(8 * 1300);
        send(session, FakeDeepgramStt.tone(440, 1000), FakeDeepgramStt.silence(650), FakeDeepgramStt.tone(440, 800),
                FakeDeepgramStt.silence(1000));

        var fin = events.next(SttEvent.Final.class, WAIT);
        assertThat(fin.text()).endsWith("12 Elm Street");
        var second = fake.awaitConnection(1, 1000);
        assertThat(second.controls()).first().isEqualTo("Configure");
        assertThat(fin.words().getLast().end()).isGreaterThan(2.0); // call time, not the new socket's
        session.close();
    }

    @Test
    void aFatalServerErrorReconnectsAndAnyOtherFails() throws Exception {
        fake.script("hello there").fatalErrorAfterAudioBytes(8 * 300, "INTERNAL_SERVER_ERROR");
        var session = open(FLUX);
        send(session, FakeDeepgramStt.tone(440, 1000), FakeDeepgramStt.silence(900));
        assertThat(events.next(SttEvent.Final.class, WAIT).text()).isNotEmpty();
        assertThat(fake.awaitConnection(1, 1000)).isNotNull();
        session.close();

        var refused = new EventRecorder<SttEvent>();
        fake.fatalErrorAfterAudioBytes(8 * 300, "UNSUPPORTED_AUDIO_FORMAT");
        var other = new DeepgramSpeechToText(fake.baseUrl(), "dg-secret", FAST).open(FLUX, refused);
        send(other, FakeDeepgramStt.tone(440, 600));
        var failed = refused.next(SttEvent.Failed.class, WAIT);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
        assertThat(failed.error().message()).contains("UNSUPPORTED_AUDIO_FORMAT");
        assertThat(fake.connections()).hasSize(3);
    }

    @Test
    void latencyDelaysButDoesNotReorderTheTurn() throws Exception {
        fake.script("call me back").latency(Duration.ofMillis(120));
        var session = open(FLUX);
        send(session, FakeDeepgramStt.tone(440, 900), FakeDeepgramStt.silence(900));
        var all = events.until(SttEvent.Final.class, WAIT);
        assertThat(all.getFirst()).isInstanceOf(SttEvent.SpeechStarted.class);
        assertThat(all.get(all.size() - 2)).isInstanceOf(SttEvent.EagerEndOfTurn.class);
        assertThat(((SttEvent.Final) all.getLast()).text()).isEqualTo("call me back");
        session.close();
    }
}
