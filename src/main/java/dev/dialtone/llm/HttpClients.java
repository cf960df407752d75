package dev.dialtone.llm;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few JDK HTTP clients used in turn. Each JDK client moves all its connections' bytes through
 * one selector thread; with hundreds of calls streaming at once, one client becomes a queue.
 */
public final class HttpClients {
    private final HttpClient[] clients;
    private final AtomicInteger next = new AtomicInteger();

    public HttpClients(Duration connectTimeout) {
        int n = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        clients = new HttpClient[n];
        for (int i = 0; i < n; i++) {
            clients[i] = HttpClient.newBuilder().connectTimeout(connectTimeout)
                                   .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        }
    }

    /** The client for the next request. */
    public HttpClient next() {
        return clients[Math.floorMod(next.getAndIncrement(), clients.length)];
    }
}
