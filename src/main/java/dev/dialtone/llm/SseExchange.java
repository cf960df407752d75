package dev.dialtone.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * model ({@code JsonObjectSchema}) would also drop JSON Schema keywords our plugins use.
 *
 * <p>Why not the JDK's {@code java.net.http} client: every response byte crossed from its selector
 * thread to an executor and then to the reading thread; at 100 calls those hops were the largest
 * share of the LLM step's latency tail. Here the request is one write and the stream is read on
 * one virtual thread over a kept-alive HTTP/1.1 connection ({@link ProviderConnections}), and
 * {@link #cancel()} closes that connection, so the provider sees it close at once whether or not
 * the headers have come.
 *
 * <p>The idle timeout is the socket's read timeout: it bounds the wait for the headers and every
 * silence between bytes of the stream.
 */
public final class SseExchange implements ChatStream {

    /** Receives the stream's events on the reader thread. */
    public interface Handler {
        /** One SSE event; throwing {@link ProviderException} ends the stream with that error. */
        void onEvent(String event, String data) throws ProviderException;

        /** The server closed the body; return the error if the stream had not finished properly. */
        void onEnd() throws ProviderException;
    }

    /** A POST to a provider; Host and Content-Length are added. */
    public record Post(URI uri, Map<String, String> headers, String body) {
    }

    private static final int MAX_ERROR_BODY = 4096;

    private final String provider;
    private final EventGate<ChatEvent> gate;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** The connection in use, set by the reader thread; closed by {@link #cancel()}. */
    private final AtomicReference<ProviderConnections.Connection> connection = new AtomicReference<>();

    private SseExchange(String provider, EventGate<ChatEvent> gate) {
        this.provider = provider;
        this.gate = gate;
    }

    /**
     * Sends the request on a new virtual thread and streams its events to {@code handler}; failures
     * are emitted through {@code gate} as {@link ChatEvent.Failed}.
     *
     * @param idleTimeout longest silence allowed, both before the headers and between events
     * @throws IllegalArgumentException a URL on another origin, or a header that would break the request
     */
    public static SseExchange start(ProviderConnections connections, Post post, String provider, Duration idleTimeout,
                                    EventGate<ChatEvent> gate, Handler handler) {
        if (!Origin.of(post.uri()).equals(connections.origin())) {
            throw new IllegalArgumentException(post.uri() + " is not on " + connections.origin());
        }
        var request = HttpWire.request("POST", post.uri(), connections.origin(), post.headers(),
                post.body().getBytes(StandardCharsets.UTF_8));
        var exchange = new SseExchange(provider, gate);
        Thread.ofVirtual().name(provider + "-sse").start(() -> exchange.run(connections, request, idleTimeout, handler));
        return exchange;
    }

    @Override
    public void cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return;
        }
        gate.silence();
        close(connection.getAndSet(null)); // unless the stream ended and its connection went back
    }

    private void run(ProviderConnections connections, byte[] request, Duration idleTimeout, Handler handler) {
        try {
            var response = send(connections, request, (int) Math.max(1, idleTimeout.toMillis()));
            if (response == null) {
                return;
            }
            check(response);
            var body = HttpWire.body(response.head(), response.connection().in);
            if (readEvents(body, handler)) {
                // back in the pool before anyone hears of the end: a tool round's next request reuses it
                var open = response.connection();
                if (body.complete() && response.head().keepsAlive() && connection.compareAndSet(open, null)) {
                    connections.giveBack(open);
                }
                handler.onEnd();
            }
        } catch (ProviderException e) {
            fail(e.error());
        } catch (SocketTimeoutException e) {
            fail(new ProviderError(ProviderError.Kind.TIMEOUT, provider,
                    connection.get() == null ? "connect timed out" : "no data for the idle timeout", true));
        } catch (IOException | RuntimeException e) {
            fail(ProviderError.ofException(provider, e));
        } finally {
            close(connection.getAndSet(null));
        }
    }

    private record Response(ProviderConnections.Connection connection, HttpWire.Head head) {
    }

    /**
     * Sends the request and reads the response head; null if cancelled first. A pooled connection
     * the server closed while idle fails before any response, and the request goes again on a new one.
     */
    private Response send(ProviderConnections connections, byte[] request, int idleMillis) throws IOException {
        while (true) {
            var open = connections.take();
            connection.set(open);
            if (cancelled.get()) {
                return null;
            }
            try {
                open.socket.setSoTimeout(idleMillis);
                open.out.write(request);
                open.out.flush();
                return new Response(open, HttpWire.readHead(open.in));
            } catch (HttpWire.NoResponse | SocketException e) {
                if (!open.reused() || cancelled.get()) {
                    throw e;
                }
                close(connection.getAndSet(null)); // stale: the server had closed it
            }
        }
    }

    private static void close(ProviderConnections.Connection open) {
        if (open != null) {
            open.close();
        }
    }

    private void check(Response response) throws ProviderException, IOException {
        var head = response.head();
        if (head.status() / 100 != 2) {
            var text = new String(HttpWire.body(head, response.connection().in).readNBytes(MAX_ERROR_BODY),
                    StandardCharsets.UTF_8);
            throw new ProviderException(ProviderError.ofStatus(provider, head.status(), text));
        }
        var type = head.header("content-type");
        if (!type.toLowerCase().startsWith("text/event-stream")) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                    "expected text/event-stream, got '" + type + "'", false));
        }
    }

    /** Reads events to the body's end; false if cancelled first. */
    private boolean readEvents(HttpWire.Body body, Handler handler) throws IOException, ProviderException {
        var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String event = "";
        var data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            if (cancelled.get()) {
                return false;
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
        if (cancelled.get()) {
            return false;
        }
        if (!data.isEmpty()) {
            handler.onEvent(event, data.toString());
        }
        return true;
    }

    private static String field(String line, int from) {
        return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
    }

    private void fail(ProviderError error) {
        if (!cancelled.get()) {
            gate.emit(new ChatEvent.Failed(error));
        }
    }
}
