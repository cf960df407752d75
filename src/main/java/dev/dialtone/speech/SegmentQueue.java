package dev.dialtone.speech;

import dev.dialtone.net.EventGate;

import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The segments waiting in a TTS session that speaks them one at a time on a worker thread, and
 * the epoch that a cancel moves on. A segment queued before a cancel is never spoken after it,
 * and a segment's events are emitted under the queue's lock after an epoch check, so once
 * {@link #cancel()} returns nothing of a cancelled segment reaches the listener.
 *
 * <p>The session's own state for the segment speaking now (a request, a socket) is guarded by the
 * same lock: set it with {@link #ifCurrent}, clear it with {@link #locked}, and stop it in the
 * {@code abort} action, which runs under the lock on cancel and close.
 */
public final class SegmentQueue {

    /** One segment to speak; {@code epoch} is the queue's epoch when it was added. */
    public record Segment(long id, String text, long epoch) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final BlockingQueue<Segment> waiting = new LinkedBlockingQueue<>();
    private final EventGate<TtsEvent> gate;
    private final Runnable abort;
    /** Guarded by {@link #lock}. */
    private long epoch;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /** @param abort stops the segment speaking now, if any; runs under the lock */
    public SegmentQueue(Consumer<TtsEvent> listener, Runnable abort) {
        this.gate = new EventGate<>(listener, e -> e instanceof TtsEvent.Failed f && f.segmentId().isEmpty());
        this.abort = abort;
    }

    public void add(long segmentId, String text) {
        lock.lock();
        try {
            if (!closed) {
                waiting.add(new Segment(segmentId, text, epoch));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the waiting segments and stops the one speaking. */
    public void cancel() {
        lock.lock();
        try {
            epoch++;
            abort.run();
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #cancel()}, and nothing is emitted any more; false if it was closed already. */
    public boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            epoch++;
            gate.silence();
            abort.run();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next segment not cancelled, waiting for one. Worker thread. */
    public Segment next() throws InterruptedException {
        while (true) {
            var segment = waiting.take();
            if (ifCurrent(segment, () -> true).isPresent()) {
                return segment;
            }
        }
    }

    /** Runs {@code action} under the lock if {@code segment} is still current; empty if it was not. */
    public <T> Optional<T> ifCurrent(Segment segment, Supplier<T> action) {
        lock.lock();
        try {
            return current(segment) ? Optional.of(action.get()) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Emits {@code event} if {@code segment} is still current; false if not (or the listener is gone). */
    public boolean emit(Segment segment, TtsEvent event) {
        lock.lock();
        try {
            return current(segment) && gate.emit(event);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} under the lock. */
    public void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private boolean current(Segment segment) {
        return !closed && segment.epoch() == epoch;
    }
}
