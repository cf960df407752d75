package dev.dialtone.speech.deepgram;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeDeepgramTts;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;

/** Segments beyond a socket's Flush budget go to a fresh socket, in order, nothing lost. */
class FlushBudgetTest {
    private final FakeDeepgramTts aura = new FakeDeepgramTts("k").msPerChar(2);

    @AfterEach
    void stop() {
        aura.close();
    }

    @Test
    void aSocketNeverGetsMoreFlushesThanItsBudget() throws Exception {
        var tts = new FlushBudget(new DeepgramTextToSpeech(aura.baseUrl(), "k", Duration.ofSeconds(2)), 5, Duration.ofSeconds(60));
        var events = new LinkedBlockingQueue<TtsEvent>();
        var session = tts.open(new TtsOptions("aura-2-thalia-en", ""), events::add);
        for (long id = 1; id <= 12; id++) {
            session.speak(id, "Segment number " + id + ".");
        }
        session.flush();
        var done = new ArrayList<Long>();
        var audio = new java.util.HashMap<Long, Integer>();
        while (done.size() < 12) {
            var event = events.poll(5, TimeUnit.SECONDS);
            assertThat(event).as("events so far: done " + done).isNotNull();
            switch (event) {
                case TtsEvent.Audio a -> audio.merge(a.segmentId(), a.mulaw().length, Integer::sum);
                case TtsEvent.SegmentDone d -> done.add(d.segmentId());
                case TtsEvent.Failed f -> throw new AssertionError("failed: " + f);
            }
        }
        assertThat(done).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        for (long id = 1; id <= 12; id++) {
            assertThat(audio.get(id)).as("segment " + id).isEqualTo(aura.audioLength("Segment number " + id + "."));
        }
        List<Long> flushes = aura.sockets().stream().map(s -> s.types().stream().filter("Flush"::equals).count()).toList();
        assertThat(flushes).hasSize(3).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(5));
        session.close();
    }
}
