package dev.dialtone.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Writes call records off the audio path. Every method queues its record and returns at once; it
 * never waits for the database and never throws for a database problem, so a conversation actor
 * can call it from its own thread. One platform thread drains the queue and writes what it finds
 * in one transaction per batch, a batch being what arrives within {@link #GATHER} of its first
 * record, so each turn reaches the database within that time of being handed over (a crash loses
 * at most that, plus any the database was too slow for).
 *
 * <p>Limits: at most {@code queueLimit} records wait in memory. While the database is down the
 * writer retries the same batch with a doubling wait; records beyond the limit are dropped, and
 * so are records the database refuses (each one alone, the rest of its batch is kept) and records
 * offered after {@code close()}. Every drop is logged and counted in
 * {@code dialtone.store.records.dropped} (tag {@code reason}); the queue depth is the gauge
 * {@code dialtone.store.queue.depth}.
 */
public final class CallRecorder {

    private static final System.Logger LOG = System.getLogger(CallRecorder.class.getName());
    private static final Object CLOSE = new Object();
    /** How long a batch waits for more records after its first (a crash loses at most this much more). */
    static final Duration GATHER = Duration.ofMillis(200);

    /** Why a record was dropped; the tag value of the drop counter. */
    enum DropReason { QUEUE_FULL, REFUSED, CLOSED, SHUTDOWN }

    private final DataSource pool;
    private final StoreSettings settings;
    private final Clock clock;
    /** Writer thread only. */
    private final RecordWriter writer = new RecordWriter();
    /** Any thread adds; the writer thread takes. Holds QueuedRecords and at most one CLOSE. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Records queued or in the writer's hands; any thread. Bounded by queueLimit. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Guards {@link #accepting} together with the queue, so nothing slips in after CLOSE. */
    private final ReentrantLock admission = new ReentrantLock();
    /** Guarded by admission. */
    private boolean accepting = true;
    /** Counted down by close() when it stops waiting for the writer; any thread. */
    private final CountDownLatch giveUp = new CountDownLatch(1);
    private final AtomicInteger droppedTotal = new AtomicInteger();
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Counter written;
    private final Counter commits;
    private final Counter retries;
    private final Thread thread;
    /** Writer thread only: CLOSE was seen, exit once the queue is empty. */
    private boolean closing;
    /** Writer thread only: when the current outage began, or 0. */
    private long outageSince;

    CallRecorder(DataSource pool, StoreSettings settings, MeterRegistry registry, Clock clock) {
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
        for (var reason : DropReason.values()) {
            dropped.put(reason, Counter.builder("dialtone.store.records.dropped")
                    .description("Call records lost: queue full, refused by the database, or after close")
                    .tag("reason", reason.name().toLowerCase())
                    .register(registry));
        }
        written = Counter.builder("dialtone.store.records.written").register(registry);
        commits = Counter.builder("dialtone.store.commits").description("Transactions the writer committed").register(registry);
        retries = Counter.builder("dialtone.store.write.retries").register(registry);
        Gauge.builder("dialtone.store.queue.depth", pending, AtomicInteger::get)
                .description("Call records waiting to be written").register(registry);
        // A platform thread: a batch against an embedded database is milliseconds of pure CPU, which on
        // a virtual thread would hold a carrier (and the calls' audio queued behind it) throughout.
        thread = Thread.ofPlatform().name("call-store-writer").daemon(true).start(this::run);
    }

    public void callStarted(CallStart start) {
        offer(start);
    }

    public void turnCompleted(TurnRecord turn) {
        offer(turn);
    }

    public void event(EventRecord event) {
        offer(event);
    }

    public void usage(UsageRecord usage) {
        offer(usage);
    }

    public void callEnded(CallEnd end) {
        offer(end);
    }

    /** Records waiting to be written, including the batch being written. */
    public int pending() {
        return pending.get();
    }

    /** Records lost since this recorder started, for every reason. */
    public int droppedCount() {
        return droppedTotal.get();
    }

    private void offer(CallRecord record) {
        Objects.requireNonNull(record, "record");
        var queued = new QueuedRecord(record, UUID.randomUUID().toString(), clock.instant());
        DropReason refused = null;
        admission.lock();
        try {
            if (!accepting) {
                refused = DropReason.CLOSED;
            } else if (pending.getAndUpdate(n -> n < settings.queueLimit() ? n + 1 : n) >= settings.queueLimit()) {
                refused = DropReason.QUEUE_FULL;
            } else {
                queue.add(queued);
            }
        } finally {
            admission.unlock();
        }
        if (refused == DropReason.CLOSED) {
            drop(queued, refused, "the store is closed");
        } else if (refused == DropReason.QUEUE_FULL) {
            drop(queued, refused, settings.queueLimit() + " records already waiting");
        }
    }

    /**
     * Stops taking records and waits up to {@code flushTimeout} for the queue to be written; what
     * is still unwritten then is dropped and counted. Idempotent.
     */
    void close() {
        admission.lock();
        try {
            if (!accepting) {
                return;
            }
            accepting = false;
            queue.add(CLOSE);
        } finally {
            admission.unlock();
        }
        try {
            if (!thread.join(settings.flushTimeout())) {
                giveUp.countDown();
                // The writer is inside at most one connection attempt; it drops the rest when it returns.
                if (!thread.join(settings.connectTimeout().plus(Duration.ofSeconds(1)))) {
                    LOG.log(System.Logger.Level.WARNING, "Call store writer still busy after close; " + pending.get() + " records left");
                }
            }
        } catch (InterruptedException e) {
            giveUp.countDown();
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        var batch = new ArrayList<QueuedRecord>();
        var backoff = settings.retryMin();
        boolean retrying = false; // the batch failed before: its commit may have landed unacknowledged
        try {
            while (true) {
                if (batch.isEmpty()) {
                    if (!takeInto(batch)) {
                        return;
                    }
                    fill(batch, GATHER);
                } else {
                    fill(batch, Duration.ZERO); // a retry takes what came meanwhile, at once
                }
                if (writeBatch(batch, retrying)) {
                    backoff = settings.retryMin();
                    retrying = false;
                    continue;
                }
                retrying = true;
                retries.increment();
                if (giveUp.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    dropAll(batch, "the store closed while the database was unavailable");
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(settings.retryMax()) > 0
                        ? settings.retryMax() : backoff.multipliedBy(2);
            }
        } catch (InterruptedException e) {
            dropAll(batch, "the writer was interrupted");
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Call store writer failed", e);
            dropAll(batch, "the writer failed: " + e);
        }
    }

    /** Waits for the first record of a batch; false when closing and nothing is left. */
    private boolean takeInto(List<QueuedRecord> batch) throws InterruptedException {
        while (true) {
            var next = closing ? queue.poll() : queue.take();
            if (next == null) {
                return false;
            }
            if (next == CLOSE) {
                closing = true;
            } else {
                batch.add((QueuedRecord) next);
                return true;
            }
        }
    }

    /**
     * Adds what is queued to the batch, up to the batch size, waiting up to {@code wait} for more
     * (never once closing): a batch just begun waits {@link #GATHER}, so that one commit takes the
     * records of many calls. A commit rewrites every database page its rows touched; at 100 calls,
     * committing each turn's records alone was a tenth of the server's CPU.
     */
    private void fill(List<QueuedRecord> batch, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (batch.size() < settings.batchSize()) {
            long left = deadline - System.nanoTime();
            var next = left > 0 && !closing ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                return;
            }
            if (next == CLOSE) {
                closing = true;
            } else {
                batch.add((QueuedRecord) next);
            }
        }
    }

    /**
     * Writes the batch in one transaction and empties it. On an outage the batch is kept and false
     * is returned; when the database refuses something, the records are written one by one so
     * that only the refused ones are lost.
     */
    private boolean writeBatch(List<QueuedRecord> batch, boolean retrying) {
        try {
            writeInOneTransaction(batch, retrying);
            done(batch);
            batch.clear();
            return true;
        } catch (SQLException e) {
            if (Database.isOutage(e, pool)) {
                noteOutage(e, batch.size());
                return false;
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Call store batch failed; writing its records one by one", e);
        }
        var iterator = batch.iterator();
        while (iterator.hasNext()) {
            var one = List.of(iterator.next());
            try {
                writeInOneTransaction(one, true);
                done(one);
            } catch (SQLException e) {
                if (Database.isOutage(e, pool)) {
                    noteOutage(e, batch.size()); // the written ones are already out of the batch
                    return false;
                }
                drop(one.getFirst(), DropReason.REFUSED, Database.rootMessage(e));
                pending.decrementAndGet();
            } catch (RuntimeException e) {
                drop(one.getFirst(), DropReason.REFUSED, e.toString());
                pending.decrementAndGet();
            }
            iterator.remove();
        }
        return true;
    }

    private void writeInOneTransaction(List<QueuedRecord> records, boolean mayExist) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (var record : records) {
                    writer.write(c, record, mayExist);
                }
                c.commit();
                commits.increment();
            } catch (SQLException | RuntimeException e) {
                writer.rolledBack();
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        }
    }

    private void done(List<QueuedRecord> records) {
        if (outageSince != 0) {
            var seconds = (System.nanoTime() - outageSince) / 1_000_000_000;
            LOG.log(System.Logger.Level.INFO, "Call store database is back after " + seconds + " s; writing " + pending.get()
                    + " queued records");
            outageSince = 0;
        }
        for (var record : records) {
            if (record.record() instanceof CallEnd end) {
                writer.forget(end.callSid());
            }
        }
        written.increment(records.size());
        pending.addAndGet(-records.size());
    }

    private void noteOutage(SQLException e, int inHand) {
        if (outageSince == 0) {
            outageSince = System.nanoTime();
            LOG.log(System.Logger.Level.WARNING, "Call store database unavailable (" + Database.rootMessage(e) + "); keeping "
                    + pending.get() + " records (" + inHand + " in hand, limit " + settings.queueLimit()
                    + ") and retrying");
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "Call store database still unavailable; " + pending.get() + " records queued");
        }
    }

    private void dropAll(List<QueuedRecord> batch, String why) {
        for (var record : batch) {
            drop(record, DropReason.SHUTDOWN, why);
        }
        pending.addAndGet(-batch.size());
        batch.clear();
        Object next;
        while ((next = queue.poll()) != null) {
            if (next instanceof QueuedRecord record) {
                drop(record, DropReason.SHUTDOWN, why);
                pending.decrementAndGet();
            }
        }
    }

    private void drop(QueuedRecord record, DropReason reason, String why) {
        dropped.get(reason).increment();
        var total = droppedTotal.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "Call record dropped (" + reason.name().toLowerCase() + ": " + why + "): " + record.describe()
                + "; " + total + " dropped so far");
    }
}
