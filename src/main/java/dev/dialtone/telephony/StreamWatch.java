package dev.dialtone.telephony;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Looks at an endpoint's open sockets a few times a second, on one virtual thread for all of them
 * (not a timer per call), for what no message will ever report: a connection that died without a
 * close frame, a socket silent for longer than the idle time-out, a close handshake the peer
 * never finished. The thread runs only while some socket is watched, so an endpoint that is no
 * longer used leaves nothing behind.
 */
final class StreamWatch {
    /** Something watched; {@link #check} must be quick and must not block (it hands slow work to a thread of its own). */
    interface Watched {
        /** Looks at the socket at {@code nowNanos}; returns false once it no longer needs watching. */
        boolean check(long nowNanos);
    }

    static final Duration TICK = Duration.ofMillis(250);
    private static final System.Logger LOG = System.getLogger(StreamWatch.class.getName());

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean();

    void add(Watched socket) {
        watched.add(socket);
        if (running.compareAndSet(false, true)) {
            Thread.ofVirtual().name("media-stream-watch").start(this::run);
        }
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                running.set(false);
                return;
            }
            long now = System.nanoTime();
            watched.removeIf(socket -> {
                try {
                    return !socket.check(now);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Media Stream check failed", e);
                    return true;
                }
            });
            if (watched.isEmpty()) {
                running.set(false);
                // a socket added after the emptiness check and before the flag went down has no thread: take it on
                if (watched.isEmpty() || !running.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }
}
