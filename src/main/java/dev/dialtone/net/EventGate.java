package dev.dialtone.net;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Delivers a stream's events to its listener one at a time and never after the terminal one,
 * whatever thread the event comes from (several sockets of one session, a cancel, a timeout).
 *
 * <p>A listener that throws is logged and ignored: one faulty consumer must not break the
 * provider's read loop.
 *
 * @param <E> the event family
 */
public final class EventGate<E> {
    private static final System.Logger LOG = System.getLogger(EventGate.class.getName());

    private final Consumer<? super E> listener;
    private final Predicate<? super E> terminal;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    public EventGate(Consumer<? super E> listener, Predicate<? super E> terminal) {
        this.listener = listener;
        this.terminal = terminal;
    }

    /** Delivers the event; returns false (and delivers nothing) once a terminal event was delivered. */
    public boolean emit(E event) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = terminal.test(event);
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "listener threw on " + event.getClass().getSimpleName(), e);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops delivery without a terminal event (the consumer cancelled and wants silence). */
    public void silence() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
