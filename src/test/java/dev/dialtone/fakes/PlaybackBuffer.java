package dev.dialtone.fakes;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Twilio's outbound playback queue, simulated: audio plays in real time (20 ms at a time), a mark
 * is echoed when playback reaches it (at once if nothing is queued), and {@code clear} empties
 * the queue and echoes every pending mark immediately.
 */
final class PlaybackBuffer {
    private sealed interface Item {
        /** Audio that arrived at {@code arrivedNanos} (System.nanoTime). */
        record Audio(byte[] bytes, long arrivedNanos) implements Item {
        }

        record Mark(String name) implements Item {
        }
    }

    private final Consumer<String> echo;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>(); // guarded by lock
    private final List<FakeCall.Heard> heard = new ArrayList<>(); // guarded by lock
    private final List<String> echoed = new ArrayList<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private long next; // when the queue head may play (System.nanoTime); guarded by lock
    private volatile long lastHeardNanos; // when the last audio started playing; 0 before any

    PlaybackBuffer(Consumer<String> echo) {
        this.echo = echo;
        Thread.ofVirtual().name("fake-twilio-playback").start(this::play);
    }

    /** Queues audio that arrived at {@code arrivedNanos}. */
    void enqueue(byte[] audio, long arrivedNanos) {
        add(new Item.Audio(audio, arrivedNanos));
    }

    void enqueueMark(String name) {
        add(new Item.Mark(name));
    }

    void clear() {
        List<String> pending = new ArrayList<>();
        lock.lock();
        try {
            for (var item : queue) {
                if (item instanceof Item.Mark mark) {
                    pending.add(mark.name());
                }
            }
            queue.clear();
            next = 0;
            echoed.addAll(pending);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        pending.forEach(echo);
    }

    boolean awaitMark(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!echoed.contains(name)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** Waits until audio that started playing after {@code nanos} has been heard. */
    boolean awaitHeardAfter(long nanos, Duration timeout) {
        return awaitHeard(() -> lastHeardNanos > nanos, timeout);
    }

    private boolean awaitHeard(java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until something has played and then nothing for {@code quiet}. Sleeps until the quiet
     * period could have passed instead of waking per frame: the benchmark runs hundreds of these.
     */
    boolean awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!awaitHeard(() -> lastHeardNanos != 0, timeout)) {
            return false;
        }
        while (true) {
            long now = System.nanoTime();
            long quietAt = lastHeardNanos + quiet.toNanos();
            if (now > quietAt) {
                return true;
            }
            if (now >= deadline) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(quietAt - now + 1, deadline - now));
        }
    }

    List<FakeCall.Heard> heard() {
        lock.lock();
        try {
            return List.copyOf(heard);
        } finally {
            lock.unlock();
        }
    }

    List<String> echoed() {
        lock.lock();
        try {
            return List.copyOf(echoed);
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void add(Item item) {
        lock.lock();
        try {
            queue.add(item);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Plays the queue head in 20 ms steps on an absolute schedule, so it keeps real time. */
    private void play() {
        lock.lock();
        try {
            while (!closed) {
                var item = queue.peek();
                if (item == null) {
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                if (item instanceof Item.Audio audio && next < audio.arrivedNanos()) {
                    // the buffer ran dry: Twilio starts this audio as it arrives (this thread may wake
                    // later; a late thread catches up on the schedule instead of shifting it)
                    next = audio.arrivedNanos();
                }
                switch (item) {
                    case Item.Mark mark -> {
                        if (next > now) {
                            changed.await(next - now, TimeUnit.NANOSECONDS);
                            continue; // re-check: a clear may have echoed it already
                        }
                        queue.poll();
                        echoed.add(mark.name());
                        changed.signalAll();
                        lock.unlock();
                        try {
                            echo.accept(mark.name());
                        } finally {
                            lock.lock();
                        }
                    }
                    case Item.Audio audio -> {
                        if (next > now) {
                            changed.await(next - now, TimeUnit.NANOSECONDS);
                            continue;
                        }
                        long at = next;
                        int take = Math.min(160, audio.bytes().length);
                        heard.add(new FakeCall.Heard(at, Arrays.copyOf(audio.bytes(), take)));
                        lastHeardNanos = at;
                        changed.signalAll(); // for awaitHeardAfter
                        queue.poll();
                        if (take < audio.bytes().length) {
                            queue.addFirst(new Item.Audio(Arrays.copyOfRange(audio.bytes(), take, audio.bytes().length), at));
                        }
                        next = at + TimeUnit.MILLISECONDS.toNanos(take / 8);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
