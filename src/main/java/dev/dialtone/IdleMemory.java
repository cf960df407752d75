package dev.dialtone;

import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Gives memory back to the operating system when the server goes quiet. ZGC returns heap memory
 * it has not used for {@code ZUncommitDelay} (30 s, set in the launch flags), but memory full of
 * garbage counts as used until a collection runs, and an idle server allocates too little to start
 * one: after a busy hour (or the start-up itself) it would hold its peak for good. So once no call
 * has been up for {@link #QUIET}, after calls or the start, one collection runs (concurrent with
 * ZGC: calls that arrive meanwhile are not paused); then the JVM gives the freed memory back.
 */
final class IdleMemory {
    static final Duration QUIET = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(IdleMemory.class.getName());

    private final IntSupplier activeCalls;
    private final Runnable collect;
    private final LongSupplier nanos;
    private boolean busySinceCollected = true; // the start-up's own garbage
    private long quietSince;

    IdleMemory(IntSupplier activeCalls, Runnable collect, LongSupplier nanos) {
        this.activeCalls = activeCalls;
        this.collect = collect;
        this.nanos = nanos;
        this.quietSince = nanos.getAsLong();
    }

    /** Checks for quiet every few seconds on a daemon thread of its own, for the life of the process. */
    static void watch(IntSupplier activeCalls) {
        var idle = new IdleMemory(activeCalls, System::gc, System::nanoTime);
        Thread.ofPlatform().name("idle-memory").daemon().start(() -> {
            try {
                while (true) {
                    Thread.sleep(QUIET.dividedBy(4));
                    idle.check();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** One look: collects when calls have been gone for {@link #QUIET} since the last busy moment; true if it did. */
    boolean check() {
        long now = nanos.getAsLong();
        if (activeCalls.getAsInt() > 0) {
            busySinceCollected = true;
            quietSince = now;
            return false;
        }
        if (!busySinceCollected || now - quietSince < QUIET.toNanos()) {
            return false;
        }
        busySinceCollected = false;
        long started = System.nanoTime();
        collect.run();
        LOG.log(System.Logger.Level.DEBUG, () -> "Idle: heap collected in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        return true;
    }
}
