package dev.dialtone.telephony;

import java.time.Duration;

/**
 * The limits of one Media Stream socket. Twilio sends 50 media messages a second (one per 20 ms
 * of caller audio) plus a few marks and digits, and never goes quiet while a call lasts; a socket
 * far above that rate, or silent, is not a phone call.
 *
 * <ul>
 * <li>Rate: a token bucket of {@code burst} messages refilled at {@code messagesPerSecond}. The
 *     defaults (100 a second, bursts of 500) are twice Twilio's rate and ten seconds of its
 *     traffic at once, enough for a backlog Twilio flushes after a network stall. Frames over the
 *     budget (text, binary, ping or pong) are dropped and counted as {@code rate-limited}.</li>
 * <li>Persistence: every dropped frame spends a strike; there are {@link #strikes()} (twice the
 *     burst), regained at a tenth of the rate. With none left the socket is closed with 1008: a
 *     flood at full speed is closed within its first 1,500 frames, while a stream 10 % over the
 *     rate is throttled without being closed.</li>
 * <li>Idle: no message at all for {@code idleTimeout} (zero: not checked) closes the socket and
 *     ends the call.</li>
 * </ul>
 */
public record StreamLimits(int messagesPerSecond, int burst, Duration idleTimeout) {

    public StreamLimits {
        if (messagesPerSecond <= 0 || burst <= 0 || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("stream limits must be positive: " + messagesPerSecond + "/s, burst "
                                               + burst + ", idle " + idleTimeout);
        }
    }

    /** 100 messages a second, bursts of 500, 5 s without a message ends the call. */
    public static StreamLimits defaults() {
        return new StreamLimits(100, 500, Duration.ofSeconds(5));
    }

    /** Dropped frames a socket may have (regained over time) before it is closed. */
    public int strikes() {
        return 2 * burst;
    }

    /** The same limits without the idle check (for peers that may legitimately go quiet). */
    public StreamLimits withoutIdleTimeout() {
        return new StreamLimits(messagesPerSecond, burst, Duration.ZERO);
    }
}
