package dev.dialtone.plugin;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.graalvm.polyglot.Context;
import com.sun.management.ThreadMXBean;

/**
 * Runs guest code under a wall-time limit and an allocation budget. The guest runs on a platform
 * thread, because the JDK counts allocated bytes per platform thread only (virtual threads report
 * -1); the calling thread waits and watches, and cancels the context (closing it for good) when the
 * run goes over either bound. The caller therefore never waits much longer than the time limit.
 * At most {@code maxConcurrent} guest runs proceed at once, so what running plugins hold is bounded
 * by {@code maxConcurrent} x the allocation budget even under load.
 */
final class Runner implements AutoCloseable {
    private static final ThreadMXBean THREADS =
            (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** Idle threads are reused; each holds at most one guest run at a time. Thread-safe. */
    private final ExecutorService threads = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("dialtone-plugin-", 0).daemon(true).factory());
    private final Semaphore turns; // shared by all callers: one permit per running guest

    Runner(int maxConcurrent) {
        this.turns = new Semaphore(maxConcurrent);
    }

    /** How a guarded run ended. */
    sealed interface Run<T> {
        /** Finished; {@code allocatedBytes}: what its runner thread allocated meanwhile, garbage included. */
        record Done<T>(T value, long allocatedBytes) implements Run<T> {
        }

        /** Stopped by the watchdog; the context is closed. */
        record Stopped<T>(Cause cause) implements Run<T> {
        }

        record Failed<T>(Throwable error) implements Run<T> {
        }
    }

    private record Start(long threadId, long allocated) {
    }

    /** Why the watchdog stopped a run. */
    enum Cause {
        TIME, MEMORY, CANCELLED, BUSY;

        /** Completes "it ..." for an error message. */
        String describe(Duration timeLimit, long allocationBudget) {
            return switch (this) {
                case TIME -> "did not finish within " + timeLimit.toMillis() + " ms";
                case MEMORY -> "used more than " + (allocationBudget >> 20) + " MB of memory";
                case CANCELLED -> "was cancelled because the call ended";
                case BUSY -> "did not get a turn within " + timeLimit.toMillis() + " ms (too many plugins running)";
            };
        }

        PluginMetrics.Stop metric() {
            return switch (this) {
                case TIME -> PluginMetrics.Stop.TIME;
                case MEMORY -> PluginMetrics.Stop.MEMORY;
                case CANCELLED -> PluginMetrics.Stop.CANCELLED;
                case BUSY -> PluginMetrics.Stop.BUSY;
            };
        }
    }

    <T> Run<T> run(Context context, Callable<T> work, Duration limit, long allocationBudget) {
        long t0 = System.nanoTime();
        try {
            if (!turns.tryAcquire(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                return new Run.Stopped<>(Cause.BUSY);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run.Stopped<>(Cause.CANCELLED);
        }
        try {
            return watch(context, work, limit.minusNanos(System.nanoTime() - t0), allocationBudget);
        } finally {
            turns.release();
        }
    }

    private <T> Run<T> watch(Context context, Callable<T> work, Duration limit, long allocationBudget) {
        var started = new CompletableFuture<Start>();
        var result = new CompletableFuture<T>();
        var allocated = new AtomicLong(); // written by the runner thread before it completes the result
        threads.execute(() -> {
            long id = Thread.currentThread().threadId();
            long before = THREADS.getThreadAllocatedBytes(id);
            started.complete(new Start(id, before));
            try {
                var value = work.call();
                allocated.set(THREADS.getThreadAllocatedBytes(id) - before);
                result.complete(value);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        long deadline = System.nanoTime() + limit.toNanos();
        // the watcher parks between checks and is woken when the run ends (no timed get: its
        // TimeoutException, stack trace and all, was thrown several times per run)
        var watcher = Thread.currentThread();
        result.whenComplete((value, error) -> LockSupport.unpark(watcher));
        while (!result.isDone()) {
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return stop(context, result, Cause.CANCELLED);
            }
            if (result.isDone()) {
                break;
            }
            var start = started.getNow(null);
            if (start != null) {
                long used = THREADS.getThreadAllocatedBytes(start.threadId()) - start.allocated();
                if (used > allocationBudget) {
                    return stop(context, result, Cause.MEMORY);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                return stop(context, result, Cause.TIME);
            }
        }
        try {
            return new Run.Done<>(result.join(), allocated.get());
        } catch (CompletionException e) {
            return new Run.Failed<>(e.getCause());
        } catch (CancellationException e) {
            return new Run.Failed<>(e);
        }
    }

    private static <T> Run<T> stop(Context context, CompletableFuture<T> result, Cause cause) {
        try {
            context.close(true);
        } catch (RuntimeException ignored) {
            // Closing a context that is being cancelled may report the cancellation itself; it is closed either way.
        }
        try {
            result.get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // The guest's own error is the cancellation we caused; the cause above is the one that matters.
        }
        return new Run.Stopped<>(cause);
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
