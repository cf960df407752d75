package dev.dialtone.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import okhttp3.Call;
import okhttp3.Response;

/**
 * One POST to a provider, its response body read as it streams on the caller's thread: the
 * transport under the LLM clients' event streams and the TTS fallbacks' audio.
 *
 * <p>{@link #send} blocks in OkHttp's {@link Call#execute()}; {@link #abort()} may come from any
 * thread at any moment and cancels the call, which closes its connection, so the provider sees the
 * request end at once, before or after the response head. A response read to its end leaves its
 * connection in the pool for the next request ({@link #finish()}); any other end closes it. The
 * idle timeout is the read timeout: it bounds the wait for the head and every silence in the body.
 */
public final class ProviderPost {

    /** What to send; Host and Content-Length are added. */
    public record Request(URI uri, Map<String, String> headers, String body) {
    }

    private final String provider;
    /** Makes the call with a given idle timeout. */
    private final Function<Duration, Call> calls;
    private final AtomicBoolean aborted = new AtomicBoolean();
    /** Set by {@link #send} before it executes, so that {@link #abort()} from another thread finds it. */
    private final AtomicReference<Call> call = new AtomicReference<>();
    /** The sending thread only, once {@link #send} returned true. */
    private Response response;
    private boolean finished;

    /**
     * @param provider names the provider in errors
     * @throws IllegalArgumentException a URL on another origin, or a header that would break the request
     */
    public ProviderPost(ProviderConnections connections, Request request, String provider) {
        this.provider = provider;
        this.calls = connections.calls(request);
    }

    /**
     * Sends the request and reads the response head, blocking; false if aborted first.
     *
     * @throws ProviderException TIMEOUT (connect or idle), NETWORK or PROTOCOL
     */
    public boolean send(Duration idleTimeout) throws ProviderException {
        var sending = calls.apply(idleTimeout);
        call.set(sending);
        if (aborted.get()) {
            return false;
        }
        try {
            response = sending.execute();
            return true;
        } catch (IOException e) {
            if (aborted.get()) {
                return false;
            }
            throw new ProviderException(e instanceof SocketTimeoutException
                    ? new ProviderError(ProviderError.Kind.TIMEOUT, provider, "no connection or no response in time", true)
                    : ProviderError.ofException(provider, e));
        }
    }

    public int status() {
        return response.code();
    }

    /** A response header by name (any case), "" if absent. */
    public String header(String name) {
        var value = response.header(name);
        return value == null ? "" : value;
    }

    /** The response body; it ends where the response ends. */
    public InputStream body() {
        return response.body().byteStream();
    }

    /** The typed error for a failure while reading the body. */
    public ProviderError error(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new ProviderError(ProviderError.Kind.TIMEOUT, provider, "no data for the idle timeout", true);
        }
        if (e instanceof ProtocolException && "unexpected end of stream".equals(e.getMessage())) {
            // OkHttp's words for a connection that closed before the body's end: the network's doing
            return new ProviderError(ProviderError.Kind.NETWORK, provider, "the connection closed mid-response", true);
        }
        return ProviderError.ofException(provider, e);
    }

    /**
     * Once the body was read to its end: the connection stays in the pool, before the caller reports
     * the end, so a follow-up request (a tool round's) reuses it.
     */
    public void finish() {
        finished = true;
        response.close();
    }

    /** Stops the exchange from any thread: the connection closes, a blocked read or write fails. */
    public void abort() {
        aborted.set(true);
        var sending = call.get();
        if (sending != null) {
            sending.cancel(); // does nothing to a response read to its end: its connection is back in the pool
        }
    }

    /** Ends the exchange on the sending thread: a connection not left in the pool is closed. */
    public void close() {
        var sending = call.get();
        if (!finished && sending != null) {
            sending.cancel(); // closing an unread body would first read up to 100 ms of it to save the connection
        }
        if (response != null) {
            response.close();
        }
    }
}
