package dev.dialtone.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Records a stream's events as a listener and lets a test take them in order with a timeout; it
 * also counts listener calls that overlap, which a client must never make.
 */
public final class EventRecorder<E> implements Consumer<E> {
    private final BlockingQueue<E> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();

    @Override
    public void accept(E event) {
        if (inside.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        queue.add(event);
        inside.decrementAndGet();
    }

    /** The next event, failing the test if none comes within {@code millis}. */
    public E next(long millis) throws InterruptedException {
        var event = queue.poll(millis, TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + millis + " ms");
        }
        return event;
    }

    /** The next event of the given type, skipping others; fails after {@code millis}. */
    public <T extends E> T next(Class<T> type, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            var event = queue.poll(Math.max(left, 0), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + millis + " ms");
            }
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
    }

    /** Events until (and including) the first one of {@code type}. */
    public List<E> until(Class<? extends E> type, long millis) throws InterruptedException {
        var events = new ArrayList<E>();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            var event = queue.poll(Math.max(left, 0), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + millis + " ms; got " + events);
            }
            events.add(event);
            if (type.isInstance(event)) {
                return events;
            }
        }
    }

    /**
     * Removes and returns everything received so far: call it right after a cancel to set aside
     * what was legitimately delivered before it, so that later assertions see only what came after.
     */
    public List<E> drain() {
        var events = new ArrayList<E>();
        queue.drainTo(events);
        return events;
    }

    /** Asserts that nothing arrives for {@code millis}. */
    public void assertQuiet(long millis) throws InterruptedException {
        var event = queue.poll(millis, TimeUnit.MILLISECONDS);
        if (event != null) {
            throw new AssertionError("unexpected event " + event);
        }
    }

    public int overlappingCalls() {
        return overlaps.get();
    }
}
