package dev.dialtone;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A piece of the server's start-up made on a platform thread of its own while the main thread
 * makes the others (two cores do it in about half the time); {@link #join()} waits for it and
 * rethrows what it threw, unwrapped, so a failure reads as if it had happened on the main thread.
 */
record InBackground<T>(CompletableFuture<T> result) {

    static <T> InBackground<T> start(String name, Supplier<T> work) {
        var result = new CompletableFuture<T>();
        Thread.ofPlatform().name(name).start(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return new InBackground<>(result);
    }

    T join() {
        try {
            return result.join();
        } catch (CompletionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                default -> throw e;
            }
        }
    }
}
