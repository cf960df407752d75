package dev.dialtone.plugin;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.graalvm.polyglot.Source;

/**
 * Contexts of one plugin version started ahead of calls, so that a phone call's first run of the
 * plugin does not wait for one: up to {@link PluginLimits#warmContextsPerPlugin}, started one after
 * another by one background thread. Thread-safe.
 */
final class WarmContexts {
    /** How often a call waiting for the context being warmed checks that the warming still goes on. */
    private static final long WAIT_SLICE_MS = 5;

    private final PluginRuntime runtime;
    private final String name;
    private final Source source;
    private final int target;
    private final BlockingQueue<Guest> idle; // any thread: started contexts that no call has used
    private final AtomicBoolean warming = new AtomicBoolean(); // a background thread is starting contexts
    private volatile boolean retired; // set once by close()

    WarmContexts(PluginRuntime runtime, String name, Source source, Guest first) {
        this.runtime = runtime;
        this.name = name;
        this.source = source;
        this.target = runtime.settings().limits().warmContextsPerPlugin();
        this.idle = new ArrayBlockingQueue<>(target);
        idle.add(first);
    }

    int size() {
        return idle.size();
    }

    /**
     * A context for a call: a warm one, else the next one the background thread finishes (it is
     * already under way, and a second start beside it would only slow both), else one started on
     * this call's path.
     */
    Guest take(long deadlineNanos) throws InterruptedException {
        var guest = idle.poll();
        while (guest == null && warming.get() && deadlineNanos - System.nanoTime() > 0) {
            guest = idle.poll(WAIT_SLICE_MS, TimeUnit.MILLISECONDS);
        }
        return guest != null ? guest : runtime.startGuest(name, source, true);
    }

    /** Keeps a context that no call has used for the next call, or closes it if none is wanted. */
    void recycle(Guest guest) {
        if (retired || !idle.offer(guest)) {
            guest.close();
        } else if (retired && idle.remove(guest)) {
            guest.close(); // close() ran between the check and the offer
        }
    }

    /** Starts contexts in the background until the target number are ready; returns at once. */
    void refill() {
        if (retired || idle.size() >= target || !warming.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("plugin-warm-" + name).start(() -> {
            boolean failed = false;
            try {
                while (!retired && idle.size() < target) {
                    recycle(runtime.startGuest(name, source, false));
                }
            } catch (RuntimeException e) {
                failed = true; // the next call tries again
                if (!runtime.closed()) {
                    LogSink.log(name, "could not warm a context: " + e.getMessage());
                }
            } finally {
                warming.set(false);
            }
            if (!failed) {
                refill(); // a call may have taken a context after the loop's last check
            }
        });
    }

    /** The version is retired: warm contexts close now, and none is started any more. Idempotent. */
    void close() {
        retired = true;
        Guest guest;
        while ((guest = idle.poll()) != null) {
            guest.close();
        }
    }
}
