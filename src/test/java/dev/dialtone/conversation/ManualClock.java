package dev.dialtone.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link CallClock} that only moves when the test says so; due timers run on {@link #advance}. */
final class ManualClock implements CallClock {
    private record Timer(long due, Runnable action, boolean[] cancelled) {
    }

    private final Instant origin = Instant.parse("2026-11-28T15:00:00Z");
    private final List<Timer> timers = new ArrayList<>(); // guarded by this
    private long nanos = 1_000_000_000L; // guarded by this

    @Override
    public synchronized Instant now() {
        return origin.plusNanos(nanos);
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

    /** Whether a live timer falls due within {@code within} from now (the call has armed it). */
    synchronized boolean hasTimerWithin(Duration within) {
        long by = nanos + within.toNanos();
        return timers.stream().anyMatch(t -> !t.cancelled()[0] && t.due() <= by);
    }

    /** Moves time forward, running every timer that falls due, in order. */
    void advance(Duration by) {
        long target;
        synchronized (this) {
            target = nanos + by.toNanos();
        }
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.stream().filter(t -> !t.cancelled()[0] && t.due() <= target)
                             .min(Comparator.comparingLong(Timer::due)).orElse(null);
                if (next == null) {
                    nanos = target;
                    return;
                }
                timers.remove(next);
                nanos = Math.max(nanos, next.due());
            }
            next.action().run();
        }
    }
}
