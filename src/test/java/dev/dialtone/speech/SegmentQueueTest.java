package dev.dialtone.speech;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.dialtone.net.ProviderError;

/** What a cancel and a close promise a one-segment-at-a-time TTS session. */
class SegmentQueueTest {
    private final List<TtsEvent> heard = new ArrayList<>();
    private final AtomicInteger aborts = new AtomicInteger();
    private final SegmentQueue segments = new SegmentQueue(heard::add, aborts::incrementAndGet);

    @Test
    void segmentsQueuedBeforeACancelAreNeverSpokenAfterIt() throws Exception {
        segments.add(1, "Sure,");
        segments.add(2, "one large pizza.");
        segments.cancel();
        segments.add(3, "Anything else?");
        assertThat(segments.next().id()).isEqualTo(3);
        assertThat(aborts).hasValue(1);
    }

    @Test
    void theSegmentSpeakingWhenCancelledEmitsNothingMore() throws Exception {
        segments.add(1, "Sure,");
        var speaking = segments.next();
        assertThat(segments.emit(speaking, new TtsEvent.Audio(1, new byte[160]))).isTrue();
        segments.cancel();
        assertThat(segments.emit(speaking, new TtsEvent.Audio(1, new byte[160]))).isFalse();
        assertThat(segments.ifCurrent(speaking, () -> "attached")).isEmpty();
        assertThat(heard).hasSize(1);
    }

    @Test
    void closeSilencesTheListenerAndAbortsOnce() {
        segments.add(1, "Sure,");
        assertThat(segments.close()).isTrue();
        assertThat(segments.close()).isFalse();
        segments.add(2, "ignored");
        var late = new SegmentQueue.Segment(1, "Sure,", 0);
        assertThat(segments.emit(late, new TtsEvent.SegmentDone(1))).isFalse();
        assertThat(aborts).hasValue(1);
        assertThat(heard).isEmpty();
    }

    @Test
    void aFailureOfTheWholeSessionIsTheLastEventASegmentsFailureIsNot() throws Exception {
        segments.add(1, "Sure,");
        segments.add(2, "one large pizza.");
        var first = segments.next();
        var error = new ProviderError(ProviderError.Kind.NETWORK, "elevenlabs", "dropped", true);
        assertThat(segments.emit(first, new TtsEvent.Failed(OptionalLong.of(1), error))).isTrue();
        var second = segments.next();
        assertThat(segments.emit(second, new TtsEvent.Failed(OptionalLong.empty(), error))).isTrue();
        assertThat(segments.emit(second, new TtsEvent.SegmentDone(2))).as("after the session's failure").isFalse();
        assertThat(heard).hasSize(2);
    }
}
