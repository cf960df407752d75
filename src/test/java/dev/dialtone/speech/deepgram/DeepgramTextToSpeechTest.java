package dev.dialtone.speech.deepgram;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeDeepgramTts;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeepgramTextToSpeechTest {
    private static final TtsOptions THALIA = new TtsOptions("aura-2-thalia-en", "");

    private final FakeDeepgramTts fake = new FakeDeepgramTts("dg-secret");
    private final EventRecorder<TtsEvent> events = new EventRecorder<>();

    @AfterEach
    void stop() {
        fake.close();
    }

    private TextToSpeech socket() {
        return new DeepgramTextToSpeech(fake.baseUrl(), "dg-secret", Duration.ofSeconds(2));
    }

    private TextToSpeech rest() {
        return new DeepgramRestTextToSpeech(fake.baseUrl(), "dg-secret", Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    /** Collects one segment's audio up to its SegmentDone, failing on anything else. */
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
    void socketSpeaksSegmentsInOrderWithTheirOwnAudio() throws Exception {
        var session = socket().open(THALIA, events);
        session.speak(1, "Hello there.");
        session.speak(2, "How can I help?");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("Hello there.", 20));
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("How can I help?", 20));
        var socket = fake.awaitSocket(0, 1000);
        assertThat(socket.authorization()).isEqualTo("Token dg-secret");
        assertThat(socket.query("model")).isEqualTo("aura-2-thalia-en");
        assertThat(socket.query("encoding")).isEqualTo("mulaw");
        assertThat(socket.query("sample_rate")).isEqualTo("8000");
        assertThat(socket.types()).containsExactly("Speak", "Flush", "Speak", "Flush");
        assertThat(socket.messages().getFirst().path("text").asText()).isEqualTo("Hello there.");
        session.close();
        assertThat(events.overlappingCalls()).isZero();
    }

    @Test
    void cancelDropsAudioStillArrivingAndLaterSegmentsPlay() throws Exception {
        fake.chunkBytes(160).chunkInterval(Duration.ofMillis(20));
        var session = socket().open(THALIA, events);
        session.speak(1, "This is a long answer that the caller is about to interrupt.");
        session.speak(2, "And this one never plays.");
        assertThat(events.next(2000)).isInstanceOf(TtsEvent.Audio.class);

        session.cancel();
        assertThat(events.drain()).allMatch(e -> e instanceof TtsEvent.Audio a && a.segmentId() == 1);
        session.speak(3, "Sure.");
        assertThat(audioOf(3)).isEqualTo(FakeTtsServer.synthesize("Sure.", 20));
        events.assertQuiet(100);
        assertThat(fake.awaitSocket(0, 100).types()).contains("Clear");
        session.close();
    }

    /** Deepgram does not document whether a Clear is followed by a Flushed for the flush it cut short. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void afterACancelTheNextSegmentsGetAllTheirOwnAudioWhetherOrNotFlushedFollowsCleared(boolean flushedAfterCleared)
            throws Exception {
        fake.flushedAfterCleared(flushedAfterCleared).chunkBytes(160).chunkInterval(Duration.ofMillis(20));
        var session = socket().open(THALIA, events);
        session.speak(1, "This is a long answer that the caller is about to interrupt.");
        session.speak(2, "And this one never plays.");
        assertThat(events.next(2000)).isInstanceOf(TtsEvent.Audio.class);

        session.cancel();
        assertThat(events.drain()).allMatch(e -> e instanceof TtsEvent.Audio a && a.segmentId() == 1);
        session.speak(3, "Sure, go ahead.");
        session.speak(4, "What else?");
        assertThat(audioOf(3)).isEqualTo(FakeTtsServer.synthesize("Sure, go ahead.", 20));
        assertThat(audioOf(4)).isEqualTo(FakeTtsServer.synthesize("What else?", 20));
        events.assertQuiet(200);
        // Segment 2 reached the first socket unless the cancel overtook it; the new ones went to a fresh socket.
        assertThat(fake.awaitSocket(0, 1000).types()).startsWith("Speak", "Flush").endsWith("Clear")
                .hasSizeBetween(3, 5);
        assertThat(fake.awaitSocket(1, 1000).messages()).extracting(m -> m.path("type").asText() + " " + m.path("text").asText())
                .containsExactly("Speak Sure, go ahead.", "Flush ", "Speak What else?", "Flush ");
        session.close();
    }

    @Test
    void aBurstOfSegmentsThroughTheFlushBudgetNeverMeetsDeepgramsFlushLimit() throws Exception {
        var session = FlushBudget.deepgram(socket()).open(THALIA, events);
        int count = 50;
        for (long id = 1; id <= count; id++) {
            session.speak(id, "Segment " + id + ".");
        }
        var audio = new HashMap<Long, ByteArrayOutputStream>();
        var done = new HashSet<Long>();
        while (done.size() < count) {
            switch (events.next(5000)) {
                case TtsEvent.Audio a -> audio.computeIfAbsent(a.segmentId(), id -> new ByteArrayOutputStream()).writeBytes(a.mulaw());
                case TtsEvent.SegmentDone d -> done.add(d.segmentId());
                case TtsEvent.Failed f -> throw new AssertionError("failed: " + f);
            }
        }
        for (long id = 1; id <= count; id++) {
            assertThat(audio.get(id).toByteArray()).as("segment " + id).isEqualTo(FakeTtsServer.synthesize("Segment " + id + ".", 20));
        }
        assertThat(fake.sockets()).hasSizeGreaterThanOrEqualTo(3).allSatisfy(socket -> {
            assertThat(socket.warningsSent()).isEmpty();
            assertThat(socket.types().stream().filter("Flush"::equals).count()).isLessThanOrEqualTo(20);
        });
        session.close();
    }

    @Test
    void withoutTheBudgetTheTwentyFirstFlushWithinAMinuteIsRefusedWithAWarningAndTheSessionGoesOn() throws Exception {
        var session = socket().open(THALIA, events);
        for (long id = 1; id <= 21; id++) {
            session.speak(id, "Segment " + id + ".");
        }
        for (long id = 1; id <= 20; id++) {
            assertThat(audioOf(id)).as("segment " + id).isEqualTo(FakeTtsServer.synthesize("Segment " + id + ".", 20));
        }
        var socket = fake.awaitSocket(0, 1000);
        Await.until(() -> !socket.warningsSent().isEmpty(), Duration.ofSeconds(5)); // the 21st Flush may still be on its way
        assertThat(socket.warningsSent()).singleElement()
                .satisfies(w -> assertThat(w.path("warn_code").asText()).isEqualTo("FLUSH_LIMIT_EXCEEDED"));
        events.assertQuiet(200); // the refused flush: no audio for segment 21, and the Warning failed nothing
        session.close();
    }

    @Test
    void theMetadataOnOpenAndAWarningAmidASegmentsAudioLeaveEverySegmentWhole() throws Exception {
        fake.chunkBytes(160).warnDuringNextFlush("SOME_WARNING", "something worth knowing");
        var session = socket().open(THALIA, events);
        session.speak(1, "Hello there, how can I help?");
        session.speak(2, "We are open until ten.");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("Hello there, how can I help?", 20));
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("We are open until ten.", 20));
        events.assertQuiet(50);
        assertThat(fake.awaitSocket(0, 1000).sentTypes()).containsExactly("Metadata", "Warning", "Flushed", "Flushed");
        session.close();
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH", "RATE_LIMITED,RATE_LIMIT", "SERVER_ERROR,SERVER", "REFUSE,NETWORK",
            "GARBAGE,PROTOCOL", "STALL,TIMEOUT"})
    void aRefusedSocketFailsEverySegmentAndTheSessionWithATypedError(FakeServerFault fault, ProviderError.Kind kind) throws Exception {
        for (int i = 0; i < 3; i++) {
            fake.failNextConnection(fault); // more than the session's attempts
        }
        var session = new DeepgramTextToSpeech(fake.baseUrl(), "dg-secret", Duration.ofMillis(300)).open(THALIA, events);
        session.speak(7, "Hello.");

        var segment = (TtsEvent.Failed) events.next(2000);
        assertThat(segment.segmentId()).hasValue(7);
        assertThat(segment.error().kind()).isEqualTo(kind);
        assertThat(segment.error().toString()).doesNotContain("dg-secret");
        assertThat(((TtsEvent.Failed) events.next(2000)).segmentId()).isEmpty();
        events.assertQuiet(50);
    }

    @Test
    void aSocketThatSendsNoAudioForTheIdleTimeoutFailsTheSession() throws Exception {
        fake.firstByteDelay(Duration.ofSeconds(2));
        var session = new DeepgramTextToSpeech(fake.baseUrl(), "dg-secret", Duration.ofSeconds(2), Duration.ofMillis(200))
                .open(THALIA, events);
        session.speak(1, "Hello.");

        var failed = (TtsEvent.Failed) events.next(1500);
        assertThat(failed.segmentId()).hasValue(1);
        assertThat(failed.error().kind()).isEqualTo(ProviderError.Kind.TIMEOUT);
        assertThat(((TtsEvent.Failed) events.next(500)).segmentId()).isEmpty();
    }

    @Test
    void restGoingQuietMidSegmentIsATimeout() throws Exception {
        // One request with a lenient idle timeout first: in a cold JVM on a busy machine the first HTTP
        // request alone (class loading, JIT) takes longer than the 200 ms idle timeout under test.
        var warmUp = rest().open(THALIA, events);
        warmUp.speak(0, "Warm.");
        assertThat(audioOf(0)).isEqualTo(FakeTtsServer.synthesize("Warm.", 20));
        warmUp.close();

        fake.chunkBytes(160).chunkInterval(Duration.ofMillis(1000));
        var session = new DeepgramRestTextToSpeech(fake.baseUrl(), "dg-secret", Duration.ofSeconds(2), Duration.ofMillis(200))
                .open(THALIA, events);
        session.speak(1, "Slow words.");

        var received = events.until(TtsEvent.Failed.class, 2000);
        assertThat(received.getFirst()).isInstanceOf(TtsEvent.Audio.class);
        assertThat(((TtsEvent.Failed) received.getLast()).error().kind()).isEqualTo(ProviderError.Kind.TIMEOUT);
        session.close();
    }

    @Test
    void restStreamsRawMuLawWithoutAContainerHeader() throws Exception {
        var session = rest().open(THALIA, events);
        session.speak(1, "Your pizza is on its way.");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("Your pizza is on its way.", 20));
        var request = fake.awaitRequest(1000);
        assertThat(request.text()).isEqualTo("Your pizza is on its way.");
        assertThat(request.exchange().query("container")).hasValue("none");
        assertThat(request.exchange().query("encoding")).hasValue("mulaw");
        assertThat(request.exchange().header("authorization")).hasValue("Token dg-secret");
        session.close();
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHORIZED,AUTH", "RATE_LIMITED,RATE_LIMIT", "SERVER_ERROR,SERVER", "GARBAGE,PROTOCOL", "REFUSE,NETWORK"})
    void restErrorBodiesNeverSurfaceAsAudio(FakeServerFault fault, ProviderError.Kind kind) throws Exception {
        for (int i = 0; i < 3; i++) {
            fake.failNextRequest(fault); // the JDK client retries once on a refused connection
        }
        var session = rest().open(THALIA, events);
        session.speak(1, "Hello.");

        var failed = events.next(2000);
        assertThat(failed).isInstanceOf(TtsEvent.Failed.class);
        assertThat(((TtsEvent.Failed) failed).error().kind()).isEqualTo(kind);
        assertThat(((TtsEvent.Failed) failed).segmentId()).hasValue(1);
        events.assertQuiet(50);
        session.close();
    }

    @Test
    void restCancelAbortsTheRequestInFlight() throws Exception {
        fake.chunkBytes(160).chunkInterval(Duration.ofMillis(20));
        var session = rest().open(THALIA, events);
        session.speak(1, "A long sentence that will be interrupted by the caller very soon.");
        assertThat(events.next(2000)).isInstanceOf(TtsEvent.Audio.class);

        session.cancel();
        assertThat(events.drain()).allMatch(e -> e instanceof TtsEvent.Audio a && a.segmentId() == 1);
        var request = fake.awaitRequest(1000);
        assertThat(request.exchange().awaitClientClose(500)).isTrue();
        events.assertQuiet(100);
        session.close();
    }

    @Test
    void fallsBackToRestWhenTheSocketIsRefused() throws Exception {
        for (int i = 0; i < 3; i++) {
            fake.failNextConnection(FakeServerFault.SERVER_ERROR);
        }
        var session = new FallbackTextToSpeech(socket(), rest()).open(THALIA, events);
        session.speak(1, "First.");
        session.speak(2, "Second.");

        assertThat(audioOf(1)).isEqualTo(FakeTtsServer.synthesize("First.", 20));
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("Second.", 20));
        assertThat(fake.requests()).extracting(FakeDeepgramTts.Request::text).containsExactly("First.", "Second.");
        session.close();
    }

    @Test
    void segmentsSpokenWhileTheSwitchToRestIsUnderWayKeepTheirOrder() throws Exception {
        for (int i = 0; i < 3; i++) {
            fake.failNextConnection(FakeServerFault.SERVER_ERROR);
        }
        for (int round = 0; round < 5; round++) { // the switch races the speaking: give it several chances
            var session = new FallbackTextToSpeech(socket(), rest()).open(THALIA, events);
            for (long id = 1; id <= 20; id++) {
                session.speak(id, "Segment " + id + ".");
                Thread.sleep(0, 300_000); // spread over the moment the refusal arrives
            }
            for (long id = 1; id <= 20; id++) {
                assertThat(audioOf(id)).as("round " + round + ", segment " + id)
                        .isEqualTo(FakeTtsServer.synthesize("Segment " + id + ".", 20));
            }
            session.close();
            fake.failNextConnection(FakeServerFault.SERVER_ERROR);
        }
    }

    @Test
    void aSocketDroppedMidSegmentFailsThatSegmentAndReSpeaksTheUnheardOnesOverRest() throws Exception {
        fake.chunkBytes(160).dropSocketAfterChunks(2);
        var session = new FallbackTextToSpeech(socket(), rest()).open(THALIA, events);
        session.speak(1, "This one is cut part-way.");
        session.speak(2, "This one is spoken again.");

        var first = events.until(TtsEvent.Failed.class, 2000);
        // Up to two chunks were sent before the cut (a reset may swallow the second one in flight).
        assertThat(first).hasSizeBetween(2, 3);
        assertThat(first.subList(0, first.size() - 1)).allMatch(e -> e instanceof TtsEvent.Audio a && a.segmentId() == 1);
        assertThat(((TtsEvent.Failed) first.getLast()).segmentId()).hasValue(1);
        assertThat(((TtsEvent.Failed) first.getLast()).error().kind()).isEqualTo(ProviderError.Kind.NETWORK);
        assertThat(audioOf(2)).isEqualTo(FakeTtsServer.synthesize("This one is spoken again.", 20));
        assertThat(fake.requests()).extracting(FakeDeepgramTts.Request::text).containsExactly("This one is spoken again.");
        events.assertQuiet(50);
        session.close();
        assertThat(List.of(events.overlappingCalls())).containsExactly(0);
    }
}
