package dev.dialtone.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class PacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void sendsAtOnceUntilTheLeadIsFilledThenAtRealTime() {
        var pacer = new Pacer(Duration.ofMillis(100));
        long now = 0;
        int sentAtOnce = 0;
        while (pacer.waitNanos(now) == 0) {
            pacer.sent(now, 20);
            sentAtOnce++;
        }
        // 100 ms of lead: frames at 0..100 ms of playout go at once, the next one waits
        assertThat(sentAtOnce).isEqualTo(6);
        assertThat(pacer.waitNanos(now)).isEqualTo(20 * MS);
        now += 20 * MS;
        assertThat(pacer.waitNanos(now)).isZero();
        pacer.sent(now, 20);
        assertThat(pacer.queuedNanos(now)).isEqualTo(120 * MS);
    }

    @Test
    void theLeadNeverGrowsPastItsBoundOverALongReply() {
        var pacer = new Pacer(Duration.ofMillis(80));
        long now = 0;
        long maxQueued = 0;
        for (int frame = 0; frame < 500; frame++) {
            now += pacer.waitNanos(now);
            pacer.sent(now, 20);
            maxQueued = Math.max(maxQueued, pacer.queuedNanos(now));
        }
        assertThat(maxQueued).isLessThanOrEqualTo(100 * MS);
        // 500 frames = 10 s of audio: sending took 10 s minus the lead
        assertThat(now).isBetween(9_900 * MS - 100 * MS, 10_000 * MS);
    }

    @Test
    void aClearEmptiesTheQueueAndAGapRestartsPlayback() {
        var pacer = new Pacer(Duration.ofMillis(60));
        pacer.sent(0, 60);
        assertThat(pacer.queuedNanos(10 * MS)).isEqualTo(50 * MS);
        pacer.reset(10 * MS);
        assertThat(pacer.queuedNanos(10 * MS)).isZero();
        // after a long silence the playhead starts from now, not from the past
        pacer.sent(5_000 * MS, 20);
        assertThat(pacer.queuedNanos(5_000 * MS)).isEqualTo(20 * MS);
    }

    @Test
    void aBatchingPacerWaitsUntilABatchHasPlayedThenRefillsTheLead() {
        var pacer = new Pacer(Duration.ofMillis(200), Duration.ofMillis(100));
        long now = 0;
        assertThat(sendWhileAllowed(pacer, now)).isEqualTo(11); // 0..200 ms queued: the lead is full
        assertThat(pacer.waitNanos(now)).isEqualTo(120 * MS);   // until 100 ms are left
        now += 60 * MS;
        assertThat(pacer.waitNanos(now)).as("half a batch played: still waits").isEqualTo(60 * MS);
        now += 60 * MS;
        assertThat(sendWhileAllowed(pacer, now)).isEqualTo(6);  // 100 -> 220 ms queued
        assertThat(pacer.queuedNanos(now)).isEqualTo(220 * MS);
    }

    @Test
    void aBatchingPacerKeepsRealTimeOverALongReply() {
        var pacer = new Pacer(Duration.ofMillis(200), Duration.ofMillis(100));
        long now = 0;
        int wakeUps = 0;
        long minQueued = Long.MAX_VALUE;
        for (int frame = 0; frame < 500; frame++) {
            long wait = pacer.waitNanos(now);
            if (wait > 0) {
                now += wait;
                wakeUps++;
                minQueued = Math.min(minQueued, pacer.queuedNanos(now));
                assertThat(pacer.waitNanos(now)).isZero();
            }
            pacer.sent(now, 20);
            assertThat(pacer.queuedNanos(now)).isLessThanOrEqualTo(220 * MS);
        }
        assertThat(minQueued).as("never runs dry").isGreaterThanOrEqualTo(100 * MS);
        assertThat(wakeUps).as("one wake-up per batch of about 6 frames, not per frame").isBetween(75, 85);
        assertThat(now).isBetween(9_780 * MS, 9_900 * MS);
    }

    @Test
    void aClearEndsARefill() {
        var pacer = new Pacer(Duration.ofMillis(200), Duration.ofMillis(100));
        sendWhileAllowed(pacer, 0);
        pacer.reset(50 * MS);
        assertThat(pacer.waitNanos(50 * MS)).isZero();
        assertThat(sendWhileAllowed(pacer, 50 * MS)).isEqualTo(11);
    }

    @Test
    void aBatchLongerThanTheLeadIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Pacer(Duration.ofMillis(100), Duration.ofMillis(120)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int sendWhileAllowed(Pacer pacer, long now) {
        int sent = 0;
        while (pacer.waitNanos(now) == 0) {
            pacer.sent(now, 20);
            sent++;
        }
        return sent;
    }
}
