package dev.dialtone.telephony;

/**
 * The rate limit of one socket ({@link StreamLimits}): a token bucket for the frames it accepts
 * and a second one of strikes for the frames it drops. Pure arithmetic on the times it is given,
 * so tests drive it without a clock. Owned by the socket's reader thread.
 */
final class MessageBudget {
    /** What to do with a frame. */
    enum Verdict { ACCEPT, DROP, CLOSE }

    private final double tokensPerNano;
    private final double strikesPerNano;
    private final int burst;
    private final int maxStrikes;
    private double tokens;
    private double strikes;
    private long lastNanos;

    MessageBudget(StreamLimits limits, long nowNanos) {
        this.tokensPerNano = limits.messagesPerSecond() / 1e9;
        this.strikesPerNano = limits.messagesPerSecond() / 10 / 1e9;
        this.burst = limits.burst();
        this.maxStrikes = limits.strikes();
        this.tokens = burst;
        this.strikes = maxStrikes;
        this.lastNanos = nowNanos;
    }

    /** Takes one frame's worth of budget at {@code nowNanos}. */
    Verdict take(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = Math.max(lastNanos, nowNanos);
        tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
        strikes = Math.min(maxStrikes, strikes + elapsed * strikesPerNano);
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ACCEPT;
        }
        strikes -= 1;
        return strikes < 1 ? Verdict.CLOSE : Verdict.DROP;
    }
}
