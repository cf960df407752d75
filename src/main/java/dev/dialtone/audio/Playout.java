package dev.dialtone.audio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound audio queue of one call: 20 ms frames and marks go in, in order, and a virtual
 * thread hands them to the {@link Sink} paced by a {@link Pacer}, so Twilio never holds more than
 * the lead (plus a frame). {@link #clear()} drops whatever has not been sent yet and clears Twilio's buffer.
 * Any thread may enqueue or clear; the queue and pacer are guarded by {@code lock}.
 */
public final class Playout implements AutoCloseable {

    /** Where paced output goes (the call's Twilio stream). Called with the lock held, in order. */
    public interface Sink {
        void audio(byte[] frame);

        void mark(String name);

        void clear();
    }

    private sealed interface Item {
        record Frame(byte[] bytes) implements Item {
        }

        record Marker(String name) implements Item {
        }
    }

    private final Sink sink;
    private final Pacer pacer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>(); // guarded by lock
    private boolean closed; // guarded by lock

    public Playout(Sink sink, Duration lead, String name) {
        this(sink, lead, Duration.ZERO, name);
    }

    /** A playout that sends in batches of about {@code batch} (see {@link Pacer}). */
    public Playout(Sink sink, Duration lead, Duration batch, String name) {
        this.sink = sink;
        this.pacer = new Pacer(lead, batch);
        Thread.ofVirtual().name("playout-" + name).start(this::run);
    }

    /** Queues one frame of mu-law audio (any length; 160 bytes is usual). */
    public void audio(byte[] frame) {
        offer(new Item.Frame(frame));
    }

    /** Queues a mark after the audio queued so far. */
    public void mark(String name) {
        offer(new Item.Marker(name));
    }

    /** Drops everything not yet sent and tells Twilio to drop what it buffered. */
    public void clear() {
        lock.lock();
        try {
            queue.clear();
            pacer.reset(System.nanoTime());
            if (!closed) {
                sink.clear();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Audio sent to Twilio that has not played yet, by the pacer's reckoning. */
    public Duration buffered() {
        lock.lock();
        try {
            return Duration.ofNanos(pacer.queuedNanos(System.nanoTime()));
        } finally {
            lock.unlock();
        }
    }

    /** Whether nothing is waiting to be sent. */
    public boolean idle() {
        lock.lock();
        try {
            return queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void offer(Item item) {
        lock.lock();
        try {
            if (!closed) {
                queue.add(item);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        lock.lock();
        try {
            while (!closed) {
                var item = queue.peek();
                if (item == null) {
                    changed.await();
                    continue;
                }
                if (item instanceof Item.Frame frame) {
                    long wait = pacer.waitNanos(System.nanoTime());
                    if (wait > 0) {
                        changed.await(wait, TimeUnit.NANOSECONDS);
                        continue;
                    }
                    queue.poll();
                    pacer.sent(System.nanoTime(), Frames.millis(frame.bytes().length));
                    sink.audio(frame.bytes());
                } else if (item instanceof Item.Marker marker) {
                    queue.poll();
                    sink.mark(marker.name());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.getLogger(Playout.class.getName()).log(System.Logger.Level.ERROR, "playout stopped", e);
        } finally {
            lock.unlock();
        }
    }
}
