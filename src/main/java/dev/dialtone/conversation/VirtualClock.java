package dev.dialtone.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Time for a call in text mode: it starts at a given instant and moves only when its driver says
 * so ({@link #runNext}), running the timers that fall due, in order, on the driver's thread. So a
 * silence re-prompt, the end of a keyed turn or the dead-air watchdog happen exactly when the driver
 * lets that much time pass, never because a real clock did. Timers only post events, so running
 * them on the driver's thread is what the call's own timers would do. Thread-safe.
 */
final class VirtualClock implements CallClock {
    private record Timer(long due, Runnable action, boolean[] cancelled) {
    }

    private final Instant origin;
    private final List<Timer> timers = new ArrayList<>(); // guarded by this
    private long nanos = 1_000_000_000L; // guarded by this; never 0, which the conversation reads as "never"

    VirtualClock(Instant origin) {
        this.origin = origin;
    }

    @Override
    public synchronized Instant now() {
        return origin.plusNanos(nanos - 1_000_000_000L);
    }

    @Override
    public synchronized long nanos() {
        return nanos;
    }

    @Override
    public synchronized Runnable schedule(Duration delay, Runnable action) {
        var cancelled = new boolean[1];
        timers.add(new Timer(nanos + delay.toNanos(), action, cancelled));
        return () -> {
            synchronized (this) {
                cancelled[0] = true;
            }
        };
    }

    /**
     * Runs the earliest live timer due by {@code target} (a {@link #nanos()} value), moving time to
     * it; returns false when there is none, time having moved to {@code target}. The driver handles
     * what each timer posted before asking for the next, as the call would (a re-prompt arms the next
     * silence timer).
     */
    boolean runNext(long target) {
        Timer next;
        synchronized (this) {
            timers.removeIf(t -> t.cancelled()[0]);
            next = timers.stream().filter(t -> t.due() <= target).min(Comparator.comparingLong(Timer::due)).orElse(null);
            if (next == null) {
                nanos = Math.max(nanos, target);
                return false;
            }
            timers.remove(next);
            nanos = Math.max(nanos, next.due());
        }
        next.action().run(); // outside the lock: it posts an event
        return true;
    }
}
