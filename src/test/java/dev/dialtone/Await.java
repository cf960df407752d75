package dev.dialtone;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for something another thread does: polls a condition, never a fixed sleep. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
    }
}
