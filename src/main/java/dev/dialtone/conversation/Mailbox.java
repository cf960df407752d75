package dev.dialtone.conversation;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A call's mailbox: control events (the stream ended, an operator's hang-up or transfer) overtake
 * everything queued, and data events (provider results, marks, digits, timers) queue up to a
 * bound. A call whose actor has fallen that far behind is being flooded: further data is dropped
 * (and counted by the caller of {@link #offer}) rather than kept in memory, while control still
 * gets through. Any thread may offer; only the call's thread takes.
 */
final class Mailbox {
    /** Far above what a call produces (a reply is a few hundred events), far below what hurts memory. */
    static final int DATA_LIMIT = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final ArrayDeque<CallEvent> control = new ArrayDeque<>();
    private final ArrayDeque<CallEvent> data = new ArrayDeque<>();
    private final int dataLimit;

    Mailbox(int dataLimit) {
        this.dataLimit = dataLimit;
    }

    static boolean isControl(CallEvent event) {
        return event instanceof CallEvent.StreamEnded || event instanceof CallEvent.Action;
    }

    /** Queues an event; false when it is data and the mailbox is full (the event is dropped). */
    boolean offer(CallEvent event) {
        lock.lock();
        try {
            if (isControl(event)) {
                control.add(event);
            } else if (data.size() < dataLimit) {
                data.add(event);
            } else {
                return false;
            }
            nonEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next event, control first; waits while there is none. */
    CallEvent take() throws InterruptedException {
        lock.lock();
        try {
            while (control.isEmpty() && data.isEmpty()) {
                nonEmpty.await();
            }
            return control.isEmpty() ? data.poll() : control.poll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return control.size() + data.size();
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            control.clear();
            data.clear();
        } finally {
            lock.unlock();
        }
    }
}
