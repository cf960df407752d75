package dev.dialtone.speech.deepgram;

import dev.dialtone.fakes.FakeDeepgramStt;
import dev.dialtone.fakes.FakeServerFault;
import dev.dialtone.net.EventRecorder;
import dev.dialtone.net.ProviderError;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.SttOptions;
import dev.dialtone.speech.SttSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class DeepgramSpeechToTextTest {
    private static final DeepgramSpeechToText.Timing FAST = new DeepgramSpeechToText.Timing(Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(1), List.of(Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(10)));
    private static final SttOptions OPTIONS = new SttOptions("nova-3", "en-US", OptionalInt.of(300), OptionalInt.of(1000),
            List.of("margherita", "calzone"), true);

    private final FakeDeepgramStt fake = new FakeDeepgramStt("dg-secret");
    private final EventRecorder<SttEvent> events = new EventRecorder<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    private SttSession open(DeepgramSpeechToText.Timing timing) {
        return new DeepgramSpeechToText(fake.baseUrl(), "dg-secret", timing).open(OPTIONS, events);
    }

    /** Sends audio as Twilio delivers it: 20 ms messages. */
    private static void send(SttSession session, byte[] audio) {
        for (int i = 0; i < audio.length; i += 160) {
            session.sendAudio(Arrays.copyOfRange(audio, i, Math.min(i + 160, audio.length)));
        }
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (var part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void speechStartedCanComeAfterSomeSpeechAsTheRealServiceDecidesOnAWindowYetItsTimestampIsTheOnset() throws Exception {
        fake.script("one two three four five six").interimEvery(Duration.ofMillis(100)).speechStartedAfter(Duration.ofMillis(250));
        var session = open(FAST);
        send(session, concat(FakeDeepgramStt.silence(500), FakeDeepgramStt.tone(440, 1000), FakeDeepgramStt.silence(600)));

        var beforeStarted = events.until(SttEvent.SpeechStarted.class, 2000);
        assertThat(beforeStarted).as("interims every 100 ms come first").hasAtLeastOneElementOfType(SttEvent.Interim.class);
        assertThat(((SttEvent.SpeechStarted) beforeStarted.getLast()).seconds()).isCloseTo(0.5, within(0.03));
        session.close();
    }

    @Test
    void transcribesAnUtteranceWithInterimsEndOfTurnAndUtteranceEndOnTheAudioClock() throws Exception {
        fake.script("I'd like a large pizza");
        var session = open(FAST);
        var audio = concat(FakeDeepgramStt.silence(500), FakeDeepgramStt.tone(440, 1500), FakeDeepgramStt.silence(1600));
        send(session, audio);

        var started = events.next(SttEvent.SpeechStarted.class, 2000);
        assertThat(started.seconds()).isCloseTo(0.5, within(0.03));
        var untilFinal = events.until(SttEvent.Final.class, 2000);
        assertThat(untilFinal).hasAtLeastOneElementOfType(SttEvent.Interim.class);
        var fin = (SttEvent.Final) untilFinal.getLast();
        assertThat(fin.text()).isEqualTo("I'd like a large pizza");
        assertThat(fin.speechFinal()).isTrue();
        assertThat(fin.fromFinalize()).isFalse();
        assertThat(fin.words()).hasSize(5);
        assertThat(fin.words().getFirst().start()).isCloseTo(0.5, within(0.03));
        assertThat(fin.words().getLast().end()).isCloseTo(2.0, within(0.03));
        assertThat(events.next(SttEvent.UtteranceEnd.class, 2000).lastWordEndSeconds()).isCloseTo(2.0, within(0.03));

        var connection = fake.awaitConnection(0, 1000);
        assertThat(connection.authorization()).isEqualTo("Token dg-secret");
        assertThat(connection.query("model")).isEqualTo("nova-3");
        assertThat(connection.query("encoding")).isEqualTo("mulaw");
        assertThat(connection.query("sample_rate")).isEqualTo("8000");
        assertThat(connection.query("endpointing")).isEqualTo("300");
        assertThat(connection.query("utterance_end_ms")).isEqualTo("1000");
        assertThat(connection.query("interim_results")).isEqualTo("true");
        assertThat(connection.queryAll("keyterm")).containsExactly("margherita", "calzone");

        session.close();
        events.next(SttEvent.Closed.class, 2000);
        assertThat(connection.awaitReadingDone(2000)).isTrue();
        assertThat(connection.controls()).endsWith("CloseStream");
        assertThat(connection.audio()).isEqualTo(audio);
        assertThat(events.overlappingCalls()).isZero();
    }

    /** The Finals of one caller turn: every one up to and including the first with speech_final. */
    private List<SttEvent.Final> turn() throws InterruptedException {
        var finals = new ArrayList<SttEvent.Final>();
        do {
            finals.add(events.next(SttEvent.Final.class, 3000));
        } while (!finals.getLast().speechFinal());
        return finals;
    }

    private static String joined(List<SttEvent.Final> finals) {
        return finals.stream().map(SttEvent.Final::text).filter(t -> !t.isEmpty()).collect(Collectors.joining(" "));
    }

    @Test
    void aLongUtteranceComesInIsFinalPiecesWithSpeechFinalOnlyOnTheLast() throws Exception {
        var said = "I'd like to order a large pizza. With extra cheese and olives please. And a cola.";
        fake.script(said).finalsEvery(Duration.ofSeconds(1));
        var session = open(FAST);
        send(session, concat(FakeDeepgramStt.tone(440, 4500), FakeDeepgramStt.silence(1600)));

        var finals = turn();
        assertThat(finals).hasSizeGreaterThanOrEqualTo(4);
        assertThat(finals).allMatch(f -> !f.text().isEmpty());
        assertThat(finals.subList(0, finals.size() - 1)).noneMatch(SttEvent.Final::speechFinal);
        assertThat(finals).anyMatch(f -> f.text().endsWith("pizza.")); // a piece ends at a sentence end
        assertThat(joined(finals)).isEqualTo(said);
        var words = finals.stream().flatMap(f -> f.words().stream()).toList();
        assertThat(words).extracting(SttEvent.Word::word).containsExactly(said.split(" "));
        for (int i = 1; i < words.size(); i++) {
            assertThat(words.get(i).start()).as("word " + i).isGreaterThanOrEqualTo(words.get(i - 1).end() - 1e-9);
        }
        assertThat(words.getFirst().start()).isCloseTo(0.0, within(0.03));
        assertThat(words.getLast().end()).isCloseTo(4.5, within(0.03));
        assertThat(events.next(SttEvent.UtteranceEnd.class, 2000).lastWordEndSeconds()).isCloseTo(4.5, within(0.03));
        session.close();
    }

    @Test
    void anEmptySpeechFinalAfterTheLastWordsEndsTheTurnAndComesThroughAsSuch() throws Exception {
        fake.script("Do you deliver?", "To the station.").emptySpeechFinalEvery(1);
        var session = open(FAST);
        send(session, concat(FakeDeepgramStt.tone(440, 900), FakeDeepgramStt.silence(800),
                FakeDeepgramStt.tone(440, 600), FakeDeepgramStt.silence(800)));

        var first = turn();
        assertThat(first).extracting(SttEvent.Final::text, SttEvent.Final::speechFinal)
                .containsExactly(tuple("Do you deliver?", false), tuple("", true));
        assertThat(first.getLast().words()).isEmpty();
        var second = turn();
        assertThat(second).extracting(SttEvent.Final::text, SttEvent.Final::speechFinal)
                .containsExactly(tuple("To the station.", false), tuple("", true));
        session.close();
    }

    @Test
    void whenThePiecesTookEveryWordSpeechFinalComesOnAnEmptyFinal() throws Exception {
        fake.script("yes please").finalsEvery(Duration.ofSeconds(1));
        var session = open(FAST);
        send(session, concat(FakeDeepgramStt.tone(440, 1500), FakeDeepgramStt.silence(800)));

        var finals = turn();
        assertThat(finals).extracting(SttEvent.Final::text, SttEvent.Final::speechFinal)
                .containsExactly(tuple("yes please", false), tuple("", true));
        session.close();
    }

    @Test
    void finalizeFlushesTheWordsSoFar() throws Exception {
        fake.script("one more thing");
        var session = open(FAST);
        send(session, FakeDeepgramStt.tone(300, 600));
        session.finalizeTurn();

        var fin = events.next(SttEvent.Final.class, 2000);
        assertThat(fin.fromFinalize()).isTrue();
        assertThat(fin.text()).isEqualTo("one more thing");
        assertThat(fake.awaitConnection(0, 1000).controls()).contains("Finalize");
        session.close();
    }

    @Test
    void keepAliveHoldsAnIdleSocketOpenPastTheProvidersIdleTimeout() throws Exception {
        fake.idleTimeout(Duration.ofMillis(300)).script("still here");
        var session = open(new DeepgramSpeechToText.Timing(Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(1), List.of(Duration.ZERO)));
        send(session, FakeDeepgramStt.silence(100));
        events.assertQuiet(1000); // more than three idle timeouts without audio

        send(session, concat(FakeDeepgramStt.tone(500, 500), FakeDeepgramStt.silence(400)));
        assertThat(events.next(SttEvent.Final.class, 2000).text()).isEqualTo("still here");
        assertThat(fake.connections()).hasSize(1);
        assertThat(fake.awaitConnection(0, 100).controls()).contains("KeepAlive");
        assertThat(fake.awaitConnection(0, 100).closeCode()).isEqualTo(-1);
        session.close();
    }

    @Test
    void withoutKeepAliveTheFakeClosesAnIdleSocketLikeDeepgram() throws Exception {
        fake.idleTimeout(Duration.ofMillis(200));
        var session = open(new DeepgramSpeechToText.Timing(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(1), List.of(Duration.ZERO)));
        send(session, FakeDeepgramStt.silence(100));
        // The client treats the 1011 close as a drop and reconnects at once.
        fake.awaitConnection(1, 2000);
        assertThat(fake.connections().getFirst().closeCode()).isEqualTo(1011);
        session.close();
    }

    @Test
    void reconnectsMidUtteranceAndResendsEveryUnacknowledgedByte() throws Exception {
        fake.script(u -> Math.abs(u.toneHz() - 440) < 20 ? "large pizza" : "?");
        fake.dropAfterAudioBytes(12_000); // 1.5 s: in the middle of the tone
        var session = open(FAST);
        var audio = concat(FakeDeepgramStt.silence(1000), FakeDeepgramStt.tone(440, 1000), FakeDeepgramStt.silence(1200));
        send(session, audio);

        var fin = events.next(SttEvent.Final.class, 3000);
        assertThat(fin.text()).isEqualTo("large pizza");
        assertThat(fin.speechFinal()).isTrue();
        assertThat(fin.words().getFirst().start()).as("times stay call-relative").isCloseTo(1.0, within(0.03));

        session.close(); // CloseStream follows the audio, so once the fake stopped reading it has every byte
        events.next(SttEvent.Closed.class, 2000);
        assertThat(fake.awaitConnection(1, 1000).awaitReadingDone(2000)).isTrue();
        var first = fake.awaitConnection(0, 1000).audio();
        var second = fake.awaitConnection(1, 1000).audio();
        assertThat(first.length).isGreaterThanOrEqualTo(12_000).isLessThan(audio.length);
        int resentFrom = audio.length - second.length;
        assertThat(resentFrom).as("the second socket starts at or before the cut").isBetween(0, first.length);
        assertThat(Arrays.copyOfRange(audio, 0, first.length)).isEqualTo(first);
        assertThat(Arrays.copyOfRange(audio, resentFrom, audio.length)).isEqualTo(second);
    }

    @Test
    void aSocketThatGoesSilentWhileTakingAudioIsReplacedWithoutLosingWords() throws Exception {
        fake.script(u -> Math.abs(u.toneHz() - 700) < 20 ? "half open" : "?");
        fake.muteAfterAudioBytes(4_000); // dead after 0.5 s, in the middle of the tone, still reading
        // A 1 s results timeout: 300 ms also replaced the healthy second socket of a cold JVM on a busy machine.
        var session = open(new DeepgramSpeechToText.Timing(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(1),
                List.of(Duration.ZERO), Duration.ofMillis(1000)));
        send(session, concat(FakeDeepgramStt.tone(700, 800), FakeDeepgramStt.silence(800)));

        var fin = events.next(SttEvent.Final.class, 3000);
        assertThat(fin.text()).isEqualTo("half open");
        assertThat(fin.words().getFirst().start()).isCloseTo(0.0, within(0.03));
        assertThat(fake.connections()).hasSize(2);
        session.close();
    }

    @Test
    void repeatedReconnectFailureIsReportedNotHung() throws Exception {
        var session = open(FAST);
        fake.awaitConnection(0, 1000);
        fake.dropAfterAudioBytes(1600);
        // More refusals than the session's attempts, so that none of them can succeed.
        for (int i = 0; i < 8; i++) {
            fake.failNextConnection(FakeServerFault.REFUSE);
        }
        send(session, FakeDeepgramStt.silence(400));

        var failed = events.next(SttEvent.Failed.class, 3000);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.NETWORK);
        events.assertQuiet(100);
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH", "RATE_LIMITED,RATE_LIMIT", "SERVER_ERROR,SERVER", "REFUSE,NETWORK", "GARBAGE,PROTOCOL"})
    void mapsEachConnectFaultToItsTypedError(FakeServerFault fault, ProviderError.Kind kind) throws Exception {
        // More faults than the session's attempts, so that none of them can succeed.
        for (int i = 0; i < 8; i++) {
            fake.failNextConnection(fault);
        }
        open(FAST);

        var failed = events.next(SttEvent.Failed.class, 3000);
        assertThat(failed.error().kind()).isEqualTo(kind);
        assertThat(failed.error().provider()).isEqualTo("deepgram");
        assertThat(failed.error().toString()).doesNotContain("dg-secret");
        events.assertQuiet(50);
    }

    @Test
    void aTransientConnectFailureIsRetriedAndNoAudioIsLost() throws Exception {
        fake.failNextConnection(FakeServerFault.SERVER_ERROR).script("hello");
        var session = open(FAST);
        var audio = concat(FakeDeepgramStt.tone(600, 400), FakeDeepgramStt.silence(400));
        send(session, audio);

        assertThat(events.next(SttEvent.Final.class, 2000).text()).isEqualTo("hello");
        session.close(); // CloseStream follows the audio, so once the fake stopped reading it has every byte
        events.next(SttEvent.Closed.class, 2000);
        assertThat(fake.awaitConnection(0, 1000).awaitReadingDone(2000)).isTrue();
        assertThat(fake.awaitConnection(0, 1000).audio()).isEqualTo(audio);
    }

    @Test
    void anUpgradeThatNeverAnswersIsATimeout() throws Exception {
        fake.failNextConnection(FakeServerFault.STALL);
        new DeepgramSpeechToText(fake.baseUrl(), "dg-secret", new DeepgramSpeechToText.Timing(Duration.ofMillis(300),
                Duration.ofSeconds(4), Duration.ofSeconds(1), List.of(Duration.ZERO))).open(OPTIONS, events);

        var failed = events.next(SttEvent.Failed.class, 3000);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.TIMEOUT);
        assertThat(failed.error().retryable()).isTrue();
    }

    @Test
    void aWrongKeyFailsAtOnceWithoutRetrying() throws Exception {
        new DeepgramSpeechToText(fake.baseUrl(), "wrong", FAST).open(OPTIONS, events);
        assertThat(events.next(SttEvent.Failed.class, 2000).error().kind()).isEqualTo(ProviderError.Kind.AUTH);
        assertThat(fake.connections()).isEmpty();
    }
}
