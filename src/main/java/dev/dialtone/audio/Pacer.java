package dev.dialtone.audio;

import java.time.Duration;

/**
 * Decides when outbound audio may be sent. Twilio plays what it has queued in real time; sending
 * everything at once would make marks meaningless (they would all refer to a long queue) and a
 * {@code clear} would throw away seconds of speech already "sent". So the pacer keeps Twilio's
 * queue at most {@code lead} ahead of real time. It refills in batches: once the queue has fallen
 * to {@code lead - batch} it sends until the lead is full again, so the playout thread wakes once
 * per batch instead of once per 20 ms frame (hundreds of calls' wake-ups are what loads a small
 * machine). Pure logic over a nanosecond clock value, so it is tested without sleeping. Not
 * thread-safe: one playout thread owns it.
 */
public final class Pacer {
    private final long leadNanos;
    private final long refillAtNanos;
    private long playEndNanos; // when the audio sent so far will have finished playing
    private boolean refilling;

    /** A pacer that tops the queue up frame by frame. */
    public Pacer(Duration lead) {
        this(lead, Duration.ZERO);
    }

    public Pacer(Duration lead, Duration batch) {
        if (batch.isNegative() || batch.compareTo(lead) > 0) {
            throw new IllegalArgumentException("batch must be between 0 and the lead, got " + batch);
        }
        this.leadNanos = lead.toNanos();
        this.refillAtNanos = leadNanos - batch.toNanos();
    }

    /**
     * How long to wait before the next chunk may be sent; zero when it may go now. A zero answer
     * starts or continues a refill, which lasts until the queue is longer than the lead.
     */
    public long waitNanos(long now) {
        long queued = playEndNanos - now;
        if (queued <= refillAtNanos) {
            refilling = true;
        }
        if (refilling && queued <= leadNanos) {
            return 0;
        }
        refilling = false;
        return Math.max(0, queued - refillAtNanos);
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
        refilling = false;
    }
}
