package dev.dialtone.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One streaming HTTP POST whose answer is Server-Sent Events, abortable at any moment: the shared
 * transport of the OpenAI and Anthropic clients, over a {@link ProviderPost}.
 *
 * <p>Why hand-written rather than langchain4j: langchain4j 1.19 hands out its {@code StreamingHandle}
 * only inside a partial-response callback, so a barge-in during the model's time to first token
 * cannot abort the request until that token arrives (measured against FakeOpenAi with a 400 ms time
 * to first token and the cancel wanted 50 ms after the headers: the fake saw the connection close
 * 352 ms after the cancel, at the first token, instead of within 50 ms). langchain4j's tool schema
 * model ({@code JsonObjectSchema}) would also drop JSON Schema keywords our plugins use. Here
 * {@link #cancel()} aborts the post, which closes its connection whether or not the headers came.
 */
public final class SseExchange {

    /** Receives the stream's events on the reader thread. */
    public interface Handler {
        /** One SSE event; throwing {@link ProviderException} ends the stream with that error. */
        void onEvent(String event, String data) throws ProviderException;

        /** The server closed the body; return the error if the stream had not finished properly. */
        void onEnd() throws ProviderException;

        /** The exchange failed (not called after {@link #cancel()}). */
        void onFailure(ProviderError error);
    }

    private static final int MAX_ERROR_BODY = 4096;
    /** Longest line, and longest event: far above any real chat chunk, far below a worry. */
    private static final int MAX_LINE = 1 << 20;
    private static final int MAX_EVENT = 4 << 20;

    private final String provider;
    private final Handler handler;
    private final ProviderPost post;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    private SseExchange(String provider, Handler handler, ProviderPost post) {
        this.provider = provider;
        this.handler = handler;
        this.post = post;
    }

    /**
     * Sends the request on a new virtual thread and streams its events to {@code handler}, failures
     * included.
     *
     * @param idleTimeout longest silence allowed, both before the headers and between events
     * @throws IllegalArgumentException a URL on another origin, or a header that would break the request
     */
    public static SseExchange start(ProviderConnections connections, ProviderPost.Request request, String provider,
                                    Duration idleTimeout, Handler handler) {
        var exchange = new SseExchange(provider, handler, new ProviderPost(connections, request, provider));
        Thread.ofVirtual().name(provider + "-sse").start(() -> exchange.run(idleTimeout, handler));
        return exchange;
    }

    /** Aborts the exchange: its connection is closed and the handler hears nothing more. */
    public void cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return;
        }
        post.abort();
    }

    private void run(Duration idleTimeout, Handler handler) {
        try {
            if (!post.send(idleTimeout)) {
                return;
            }
            check();
            if (readEvents(post.body(), handler)) {
                post.finish();
                handler.onEnd();
            }
        } catch (ProviderException e) {
            fail(e.error());
        } catch (SseLines.TooLong e) {
            fail(new ProviderError(ProviderError.Kind.PROTOCOL, provider, e.getMessage(), false));
        } catch (IOException e) {
            fail(post.error(e));
        } catch (RuntimeException e) {
            fail(ProviderError.ofException(provider, e));
        } finally {
            post.close();
        }
    }

    private void check() throws ProviderException, IOException {
        if (post.status() / 100 != 2) {
            var text = new String(post.body().readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
            throw new ProviderException(ProviderError.ofStatus(provider, post.status(), text));
        }
        var type = post.header("content-type");
        if (!type.toLowerCase().startsWith("text/event-stream")) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                    "expected text/event-stream, got '" + type + "'", false));
        }
    }

    /** Reads events to the body's end; false if cancelled first. */
    private boolean readEvents(InputStream body, Handler handler) throws IOException, ProviderException {
        var lines = new SseLines(body, MAX_LINE);
        String event = "";
        var data = new StringBuilder();
        String line;
        while ((line = lines.next()) != null) {
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
                if (data.length() > MAX_EVENT) {
                    throw new SseLines.TooLong("an event", MAX_EVENT);
                }
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
            handler.onFailure(error);
        }
    }
}
