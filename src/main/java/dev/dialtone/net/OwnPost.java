package dev.dialtone.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link ProviderPost} over the hand-written client ({@code -Ddialtone.http=own}): one POST over a
 * kept-alive HTTP/1.1 connection, its response body read as it streams.
 *
 * <p>{@link #abort()} may come from any thread at any moment and closes the connection, so the
 * provider sees the request end at once, before or after the response head. A response read to its
 * end gives its connection back ({@link #finish()}). The idle timeout is the socket's read
 * timeout: it bounds the wait for the head and every silence in the body.
 *
 * <p>Why not the JDK's {@code java.net.http} client: every response byte crossed from its selector
 * thread to an executor and then to the reading thread; at 100 calls those hops cost 8-10 ms at the
 * LLM step's p99. Here the request is one write and the body is read on the caller's thread.
 */
final class OwnPost {

    private final OwnConnections connections;
    private final String provider;
    private final byte[] request;
    private final AtomicBoolean aborted = new AtomicBoolean();
    /** The connection in use, until it is given back or closed; {@link #abort()} takes it. */
    private final AtomicReference<OwnConnections.Connection> connection = new AtomicReference<>();
    /** The sending thread only, once {@link #send} returned true. */
    private OwnConnections.Connection open;
    private HttpWire.Head head;
    private HttpWire.Body body;

    /**
     * @param provider names the provider in errors
     * @throws IllegalArgumentException a URL on another origin, or a header that would break the request
     */
    OwnPost(OwnConnections connections, ProviderPost.Request request, String provider) {
        if (!Origin.of(request.uri()).equals(connections.origin())) {
            throw new IllegalArgumentException(request.uri() + " is not on " + connections.origin());
        }
        this.connections = connections;
        this.provider = provider;
        this.request = HttpWire.request("POST", request.uri(), connections.origin(), request.headers(),
                request.body().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends the request and reads the response head, blocking; false if aborted first. A pooled
     * connection the server closed while idle fails before any response, and the request goes again
     * on a new one; a new connection's failure never sends it twice.
     *
     * @throws ProviderException TIMEOUT (connect or idle), NETWORK or PROTOCOL
     */
    boolean send(Duration idleTimeout) throws ProviderException {
        try {
            while (true) {
                var taken = connections.take();
                connection.set(taken);
                if (aborted.get()) {
                    return false;
                }
                try {
                    taken.socket.setSoTimeout((int) Math.max(1, idleTimeout.toMillis()));
                    taken.out.write(request);
                    taken.out.flush();
                    head = HttpWire.readHead(taken.in);
                    open = taken;
                    body = HttpWire.body(head, taken.in);
                    return true;
                } catch (HttpWire.NoResponse | SocketException e) {
                    if (!taken.reused() || aborted.get()) {
                        throw e;
                    }
                    close(connection.getAndSet(null)); // stale: the server had closed it
                }
            }
        } catch (SocketTimeoutException e) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.TIMEOUT, provider,
                    connection.get() == null ? "connect timed out" : "no response for the idle timeout", true));
        } catch (IOException e) {
            throw new ProviderException(ProviderError.ofException(provider, e));
        }
    }

    int status() {
        return head.status();
    }

    /** A response header by its lower-case name, "" if absent. */
    String header(String name) {
        return head.header(name);
    }

    /** The response body; it ends where the response ends. */
    InputStream body() {
        return body;
    }

    /** The typed error for a failure while reading the body. */
    ProviderError error(IOException e) {
        return e instanceof SocketTimeoutException
                ? new ProviderError(ProviderError.Kind.TIMEOUT, provider, "no data for the idle timeout", true)
                : ProviderError.ofException(provider, e);
    }

    /**
     * Once the body was read to its end: the connection goes back to the pool, before the caller
     * reports the end, so a follow-up request (a tool round's) reuses it.
     */
    void finish() {
        if (body.complete() && head.keepsAlive() && connection.compareAndSet(open, null)) {
            connections.giveBack(open);
        }
    }

    /** Stops the exchange from any thread: the connection closes, a blocked read or write fails. */
    void abort() {
        aborted.set(true);
        close(connection.getAndSet(null)); // unless the response was whole and its connection went back
    }

    /** Ends the exchange: a connection not given back is closed. */
    void close() {
        close(connection.getAndSet(null));
    }

    private static void close(OwnConnections.Connection connection) {
        if (connection != null) {
            connection.close();
        }
    }
}
