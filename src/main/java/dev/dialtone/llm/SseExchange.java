package dev.dialtone.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One streaming HTTP POST whose answer is Server-Sent Events, abortable at any moment: the shared
 * transport of the OpenAI and Anthropic clients.
 *
 * <p>Why hand-written rather than langchain4j: langchain4j 1.19 hands out its {@code StreamingHandle}
 * only inside a partial-response callback, so a barge-in during the model's time to first token
 * cannot abort the request until that token arrives (measured against FakeOpenAi with a 400 ms time
 * to first token and the cancel wanted 50 ms after the headers: the fake saw the connection close
 * 352 ms after the cancel, at the first token, instead of within 50 ms). langchain4j's tool schema
 * model ({@code JsonObjectSchema}) would also drop JSON Schema keywords our plugins use. Here
 * {@link #cancel()} cancels the JDK exchange future (before headers) and closes the body stream
 * (after), so the provider sees the connection close at once in both phases.
 *
 * <p>Keep the clients on the JDK's default version (HTTP/2, with h2c upgrade on plain http): forcing
 * {@code HttpClient.Version.HTTP_1_1} was measured to break the cancel tests (the fake no longer saw
 * the connection close within 50 ms of a cancel before the first token). Over h2 a cancel resets the
 * stream, which stops the provider just the same.
 *
 * <p>Threads: one virtual thread reads the stream and calls the {@link Handler}; a second one
 * watches the idle timeout. {@link #cancel()} may come from any thread.
 */
public final class SseExchange implements ChatStream {

    /** Receives the stream's events on the reader thread. */
    public interface Handler {
        /** One SSE event; throwing {@link ProviderException} ends the stream with that error. */
        void onEvent(String event, String data) throws ProviderException;

        /** The server closed the body; return the error if the stream had not finished properly. */
        void onEnd() throws ProviderException;
    }

    private static final int MAX_ERROR_BODY = 4096;

    private final String provider;
    private final EventGate<ChatEvent> gate;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** Set by the reader thread once the request is sent; cancelled by {@link #cancel()}. */
    private final AtomicReference<CompletableFuture<HttpResponse<InputStream>>> pending = new AtomicReference<>();
    /** Set by the reader thread once headers arrived; closed by {@link #cancel()} or the watchdog. */
    private final AtomicReference<InputStream> body = new AtomicReference<>();
    /** Nanos of the last byte received, written by the reader thread, read by the watchdog. */
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final AtomicBoolean idleExpired = new AtomicBoolean();

    private SseExchange(String provider, EventGate<ChatEvent> gate) {
        this.provider = provider;
        this.gate = gate;
    }

    /**
     * Sends the request on a new virtual thread and streams its events to {@code handler}; failures
     * are emitted through {@code gate} as {@link ChatEvent.Failed}.
     *
     * @param idleTimeout longest silence allowed, both before the headers and between events
     */
    public static SseExchange start(HttpClient client, HttpRequest request, String provider, Duration idleTimeout,
                                    EventGate<ChatEvent> gate, Handler handler) {
        var exchange = new SseExchange(provider, gate);
        Thread.ofVirtual().name(provider + "-sse").start(() -> exchange.run(client, request, idleTimeout, handler));
        return exchange;
    }

    @Override
    public void cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return;
        }
        gate.silence();
        abort();
    }

    private void abort() {
        var future = pending.get();
        if (future != null) {
            future.cancel(true);
        }
        closeBody();
    }

    private void closeBody() {
        var stream = body.get();
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // closing is the goal; a failure to close cleanly changes nothing
            }
        }
    }

    private void run(HttpClient client, HttpRequest request, Duration idleTimeout, Handler handler) {
        var watchdog = Thread.ofVirtual().name(provider + "-sse-idle").start(() -> watch(idleTimeout));
        try {
            var future = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            pending.set(future);
            if (cancelled.get()) {
                future.cancel(true);
                return;
            }
            var response = future.get();
            body.set(response.body());
            if (cancelled.get()) {
                closeBody();
                return;
            }
            lastActivity.set(System.nanoTime());
            check(response);
            read(response.body(), handler);
        } catch (ProviderException e) {
            fail(e.error());
        } catch (InterruptedException | CancellationException e) {
            fail(idleError());
        } catch (ExecutionException e) {
            fail(classify(e.getCause()));
        } catch (IOException | RuntimeException e) {
            fail(classify(e));
        } finally {
            watchdog.interrupt();
            closeBody();
        }
    }

    private void check(HttpResponse<InputStream> response) throws ProviderException, IOException {
        if (response.statusCode() / 100 != 2) {
            String text;
            try (var in = response.body()) {
                text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
            }
            throw new ProviderException(ProviderError.ofStatus(provider, response.statusCode(), text));
        }
        var type = response.headers().firstValue("content-type").orElse("");
        if (!type.toLowerCase().startsWith("text/event-stream")) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                    "expected text/event-stream, got '" + type + "'", false));
        }
    }

    private void read(InputStream in, Handler handler) throws IOException, ProviderException {
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String event = "";
        var data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            lastActivity.set(System.nanoTime());
            if (cancelled.get()) {
                return;
            }
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    handler.onEvent(event, data.toString());
                }
                event = "";
                data.setLength(0);
            } else if (line.startsWith(":")) {
                continue;
            } else if (line.startsWith("event:")) {
                event = field(line, 6);
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(field(line, 5));
            }
        }
        if (!cancelled.get()) {
            if (!data.isEmpty()) {
                handler.onEvent(event, data.toString());
            }
            handler.onEnd();
        }
    }

    private static String field(String line, int from) {
        return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
    }

    private void watch(Duration idleTimeout) {
        long limit = idleTimeout.toNanos();
        try {
            while (!cancelled.get()) {
                long idle = System.nanoTime() - lastActivity.get();
                if (idle >= limit) {
                    idleExpired.set(true);
                    abort();
                    return;
                }
                Thread.sleep(Duration.ofNanos(Math.max(limit - idle, 1_000_000)));
            }
        } catch (InterruptedException e) {
            // the exchange ended
        }
    }

    private ProviderError idleError() {
        return new ProviderError(ProviderError.Kind.TIMEOUT, provider, "no data for the idle timeout", true);
    }

    private ProviderError classify(Throwable e) {
        if (idleExpired.get()) {
            return idleError();
        }
        return ProviderError.ofException(provider, e);
    }

    private void fail(ProviderError error) {
        if (!cancelled.get()) {
            gate.emit(new ChatEvent.Failed(error));
        }
    }
}
