package dev.dialtone.audio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where audio stopped mid-word plays again from: the start of that word, in real synthesised speech. */
class WordGapTest {
    private final byte[] counting = Fixtures.mulaw("counting"); // "one. two. three. four. five."

    @Test
    void audioStoppedInAWordResumesAtThePauseBeforeIt() {
        int middle = loudBlockNear(counting.length / 2);

        int from = WordGap.before(counting, middle);

        assertThat(from).isLessThan(middle).isGreaterThan(middle - WordGap.LOOK_BACK);
        assertThat(level(from)).as("a pause between words").isLessThan(WordGap.QUIET_LEVEL);
        for (int block = from + 80; block + 80 <= middle - middle % 80; block += 80) {
            assertThat(level(block)).as("no nearer pause: the word starts after it").isGreaterThanOrEqualTo(WordGap.QUIET_LEVEL);
        }
    }

    @Test
    void audioStoppedInAPauseResumesThere() {
        int quiet = quietBlockAfter(loudBlockNear(counting.length / 2));

        assertThat(WordGap.before(counting, quiet)).isEqualTo(quiet);
    }

    @Test
    void positionsPastTheEdgesAreClamped() {
        assertThat(WordGap.before(counting, -5)).isZero();
        assertThat(WordGap.before(new byte[0], 100)).isZero();
        assertThat(WordGap.before(counting, counting.length + 800)).isLessThanOrEqualTo(counting.length);
    }

    private int loudBlockNear(int position) {
        for (int block = position - position % 80; block + 80 <= counting.length; block += 80) {
            if (level(block) > 4 * WordGap.QUIET_LEVEL) {
                return block + 40;
            }
        }
        throw new AssertionError("no speech after " + position);
    }

    private int quietBlockAfter(int position) {
        for (int block = position - position % 80; block + 80 <= counting.length; block += 80) {
            if (level(block) < WordGap.QUIET_LEVEL) {
                return block;
            }
        }
        throw new AssertionError("no pause after " + position);
    }

    private long level(int from) {
        long sum = 0;
        for (int i = from; i < from + 80; i++) {
            sum += Math.abs(MuLaw.decode(counting[i]));
        }
        return sum / 80;
    }
}
