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
 *
 * <p>Playback is worked out from the schedule rather than acted out frame by frame: whoever looks
 * (a reader of what was heard, a clear, a waiter) first brings the queue up to now, stamping each
 * 20 ms with the time it started to play. Only marks need a thread to wake on time, since the server
 * waits for their echo. The benchmark runs hundreds of these; a wake-up per frame was pure load.
 */
final class PlaybackBuffer {
    private sealed interface Item {
        /** Audio that arrived at {@code arrivedNanos} (System.nanoTime). */
        record Audio(byte[] bytes, long arrivedNanos) implements Item {
        }

        record Mark(String name) implements Item {
        }
    }

    private static final int FRAME = 160;

    private final Consumer<String> echo;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();      // for waiters: audio arrived or played
    private final Condition markQueued = lock.newCondition();   // for the mark thread
    private final ArrayDeque<Item> queue = new ArrayDeque<>(); // guarded by lock
    private final List<FakeCall.Heard> heard = new ArrayList<>(); // guarded by lock
    private final List<String> echoed = new ArrayList<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private long next; // when the queue head may play (System.nanoTime); guarded by lock
    private volatile long lastHeardNanos; // when the last audio started playing; 0 before any

    PlaybackBuffer(Consumer<String> echo) {
        this.echo = echo;
        Thread.ofVirtual().name("fake-twilio-marks").start(this::echoMarks);
    }

    /** Queues audio that arrived at {@code arrivedNanos}. */
    void enqueue(byte[] audio, long arrivedNanos) {
        lock.lock();
        try {
            queue.add(new Item.Audio(audio, arrivedNanos));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void enqueueMark(String name) {
        lock.lock();
        try {
            queue.add(new Item.Mark(name));
            markQueued.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        List<String> due;
        List<String> pending = new ArrayList<>();
        lock.lock();
        try {
            due = advance(System.nanoTime()); // what started playing before the clear was heard
            for (var item : queue) {
                if (item instanceof Item.Mark mark) {
                    pending.add(mark.name());
                }
            }
            queue.clear();
            next = 0;
            echoed.addAll(pending);
            changed.signalAll();
            markQueued.signalAll();
        } finally {
            lock.unlock();
        }
        due.forEach(echo);
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

    /** Waits until audio that started playing after {@code nanos} has been heard. */
    boolean awaitHeardAfter(long nanos, Duration timeout) {
        return awaitPlayed(() -> lastHeardNanos > nanos, timeout);
    }

    /**
     * Waits until something has played and then nothing for {@code quiet}. Sleeps until the quiet
     * period could have passed instead of waking per frame.
     */
    boolean awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!awaitPlayed(() -> lastHeardNanos != 0, timeout)) {
            return false;
        }
        while (true) {
            long now = System.nanoTime();
            catchUp(now);
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
        catchUp(System.nanoTime());
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
            markQueued.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits, on the schedule, until {@code done} holds once playback is brought up to date. */
    private boolean awaitPlayed(java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long now = System.nanoTime();
            catchUp(now);
            if (done.getAsBoolean()) {
                return true;
            }
            lock.lock();
            try {
                long left = deadline - now;
                if (left <= 0) {
                    return false;
                }
                long startsIn = headStart() - now; // negative: nothing queued
                changed.await(startsIn > 0 ? Math.min(left, startsIn) : left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }
    }

    private void catchUp(long now) {
        List<String> due;
        lock.lock();
        try {
            due = advance(now);
        } finally {
            lock.unlock();
        }
        due.forEach(echo);
    }

    /**
     * Plays everything whose time has come by {@code now}, on the absolute schedule; returns the
     * marks reached, for the caller to echo once it has let go of the lock. Lock held.
     */
    private List<String> advance(long now) {
        List<String> due = List.of();
        while (!queue.isEmpty()) {
            long start = headStart();
            if (start > now) {
                break;
            }
            switch (queue.poll()) {
                case Item.Mark mark -> {
                    echoed.add(mark.name());
                    if (due.isEmpty()) {
                        due = new ArrayList<>();
                    }
                    due.add(mark.name());
                    next = Math.max(next, start);
                }
                case Item.Audio audio -> {
                    int take = Math.min(FRAME, audio.bytes().length);
                    heard.add(new FakeCall.Heard(start, Arrays.copyOf(audio.bytes(), take)));
                    lastHeardNanos = start;
                    if (take < audio.bytes().length) {
                        queue.addFirst(new Item.Audio(Arrays.copyOfRange(audio.bytes(), take, audio.bytes().length), start));
                    }
                    next = start + TimeUnit.MILLISECONDS.toNanos(take / 8);
                }
            }
            changed.signalAll();
        }
        return due;
    }

    /**
     * When the queue head starts to play: at {@code next}, or when it arrived if the buffer had run
     * dry by then (Twilio starts late audio as it arrives). Long.MIN_VALUE when nothing is queued.
     */
    private long headStart() {
        var head = queue.peek();
        if (head == null) {
            return Long.MIN_VALUE;
        }
        return head instanceof Item.Audio audio ? Math.max(next, audio.arrivedNanos()) : next;
    }

    /** When the first queued mark will be reached, by the schedule; -1 when none is queued. */
    private long firstMarkDue() {
        long at = next;
        for (var item : queue) {
            switch (item) {
                case Item.Mark mark -> {
                    return at;
                }
                case Item.Audio audio -> at = Math.max(at, audio.arrivedNanos()) + TimeUnit.MILLISECONDS.toNanos(audio.bytes().length / 8);
            }
        }
        return -1;
    }

    /** Echoes each mark when playback reaches it: the one thing that must happen on time unasked. */
    private void echoMarks() {
        while (true) {
            List<String> due;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                due = advance(now);
                if (due.isEmpty()) {
                    long at = firstMarkDue();
                    if (at < 0) {
                        markQueued.await();
                    } else if (at > now) {
                        markQueued.await(at - now, TimeUnit.NANOSECONDS);
                    }
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            due.forEach(echo);
        }
    }
}
