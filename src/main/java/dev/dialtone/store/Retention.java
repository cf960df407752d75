package dev.dialtone.store;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The periodic purge: every {@code interval}, deletes the calls that started more than
 * {@code retention} before the clock's now. A failed purge is logged and tried again next time.
 */
final class Retention {

    private static final System.Logger LOG = System.getLogger(Retention.class.getName());

    /** What the loop calls; CallStore's purge, so that counting and logging stay in one place. */
    interface Purge {
        int olderThan(Instant cutoff) throws SQLException;
    }

    private final Purge purge;
    private final Duration retention;
    private final Duration interval;
    private final Clock clock;
    /** Counted down by stop(); any thread. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;

    Retention(Purge purge, Duration retention, Duration interval, Clock clock) {
        this.purge = purge;
        this.retention = retention;
        this.interval = interval;
        this.clock = clock;
        this.thread = Thread.ofVirtual().name("call-store-retention").start(this::run);
    }

    private void run() {
        try {
            while (!stopped.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    purge.olderThan(clock.instant().minus(retention));
                } catch (SQLException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Call retention purge failed; trying again in " + interval, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the loop, waiting for a purge in progress to finish. Idempotent. */
    void stop() {
        stopped.countDown();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
