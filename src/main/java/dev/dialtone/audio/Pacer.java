package dev.dialtone.audio;

import java.time.Duration;

/**
 * Decides when outbound audio may be sent. Twilio plays what it has queued in real time; sending
 * everything at once would make marks meaningless (they would all refer to a long queue) and a
 * {@code clear} would throw away seconds of speech already "sent". So the pacer keeps Twilio's
 * queue at most {@code lead} ahead of real time. Pure logic over a nanosecond clock value, so
 * it is tested without sleeping. Not thread-safe: one playout thread owns it.
 */
public final class Pacer {
    private final long leadNanos;
    private long playEndNanos; // when the audio sent so far will have finished playing

    public Pacer(Duration lead) {
        this.leadNanos = lead.toNanos();
    }

    /** How long to wait before the next chunk may be sent; zero when it may go now. */
    public long waitNanos(long now) {
        long queued = playEndNanos - now;
        return Math.max(0, queued - leadNanos);
    }

    /** Records that audio lasting {@code millis} was sent at {@code now}. */
    public void sent(long now, long millis) {
        playEndNanos = Math.max(playEndNanos, now) + Duration.ofMillis(millis).toNanos();
    }

    /** How much sent audio has not played yet. */
    public long queuedNanos(long now) {
        return Math.max(0, playEndNanos - now);
    }

    /** After a {@code clear}: nothing is queued any more. */
    public void reset(long now) {
        playEndNanos = now;
    }
}
