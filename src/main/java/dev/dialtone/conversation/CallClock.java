package dev.dialtone.conversation;

import java.time.Duration;
import java.time.Instant;

/**
 * Time for a call: the current instant, a monotonic nanosecond counter, and timers. Injected so
 * that turn-taking (silence re-prompts, time limits, response deadlines) is tested with a manual
 * clock instead of sleeping.
 */
public interface CallClock {

    Instant now();

    long nanos();

    /** Runs {@code action} (which must only post an event) after {@code delay}; returns its canceller. */
    Runnable schedule(Duration delay, Runnable action);

    /** The real clock: timers are virtual threads that sleep. */
    static CallClock system() {
        return new CallClock() {
            @Override
            public Instant now() {
                return Instant.now();
            }

            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public Runnable schedule(Duration delay, Runnable action) {
                var timer = Thread.ofVirtual().name("call-timer").start(() -> {
                    try {
                        Thread.sleep(delay);
                        action.run();
                    } catch (InterruptedException e) {
                        // cancelled
                    }
                });
                return timer::interrupt;
            }
        };
    }
}
