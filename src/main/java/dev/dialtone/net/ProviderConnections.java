package dev.dialtone.net;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;

import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * One provider's HTTP client: its pool of kept-alive connections (a reply's request skips the TCP
 * and TLS handshakes when an earlier one left a connection), connect timeout and TLS. Requests go
 * through {@link ProviderPost}.
 *
 * <p>OkHttp, set up for the blocking model of the callers: HTTP/1.1 only, because OkHttp reads
 * an HTTP/2 connection on a reader thread of its own and hands each frame over to the caller (the
 * hop this transport avoids), and multiplexes every call to a provider over one TCP connection;
 * connects on the caller's thread ({@code fastFallback} off: no racing connect threads); no
 * redirects followed (a provider API does not redirect, and a redirected POST is not the request
 * we sent). OkHttp itself retries a request whose pooled connection the server had closed while
 * idle, never one that failed on a fresh connection of the only route.
 *
 * <p>{@code -Ddialtone.http=own} (read once) selects the hand-written client instead, for the
 * benchmark that compares the two.
 */
public final class ProviderConnections {
    /** Which client carries provider requests; read once, at start. */
    static final boolean OWN = "own".equals(System.getProperty("dialtone.http", "okhttp"));
    /** Longer than the gap between a call's turns; shorter than the providers' own idle limits. */
    private static final Duration MAX_IDLE = Duration.ofSeconds(30);
    private static final int MAX_KEPT = 256;

    private final Origin origin;
    /** Null when {@link #OWN}. */
    private final OkHttpClient client;
    /** Null unless {@link #OWN}. */
    private final OwnConnections own;
    /** The client with each idle timeout (a provider uses one), sharing {@link #client}'s pool. */
    private final Map<Duration, OkHttpClient> byIdleTimeout = new ConcurrentHashMap<>();

    public ProviderConnections(Origin origin, Duration connectTimeout) {
        this(origin, connectTimeout, null, null);
    }

    /**
     * As above, with the TLS client of one's choice; null for both means the JDK's default (the
     * system's CAs).
     */
    ProviderConnections(Origin origin, Duration connectTimeout, SSLSocketFactory tls, X509TrustManager trust) {
        this.origin = origin;
        if (OWN) {
            this.client = null;
            this.own = new OwnConnections(origin, connectTimeout,
                    tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault());
            return;
        }
        this.own = null;
        var builder = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(MAX_KEPT, MAX_IDLE.toMillis(), TimeUnit.MILLISECONDS))
                .protocols(List.of(Protocol.HTTP_1_1))
                .fastFallback(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(connectTimeout);
        if (tls != null) {
            builder.sslSocketFactory(tls, trust);
        }
        this.client = builder.build();
    }

    Origin origin() {
        return origin;
    }

    /** The hand-written client's pool, when it was chosen; null otherwise. */
    OwnConnections own() {
        return own;
    }

    /**
     * The OkHttp request for {@code post}, built now; the call is made with the idle timeout as the
     * read timeout (the longest silence: before the headers and in the body). No compression is
     * asked for (OkHttp would ask for gzip): streams and audio are read as they arrive.
     *
     * @throws IllegalArgumentException a URL on another origin, or a header that would break the request
     */
    Function<Duration, Call> calls(ProviderPost.Request post) {
        if (!Origin.of(post.uri()).equals(origin)) {
            throw new IllegalArgumentException(post.uri() + " is not on " + origin);
        }
        var headers = new Headers.Builder();
        post.headers().forEach((name, value) -> {
            try {
                headers.add(name, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header not allowed: " + name); // OkHttp's text may show the value
            }
        });
        if (headers.get("Accept-Encoding") == null) {
            headers.add("Accept-Encoding", "identity");
        }
        var request = new Request.Builder()
                .url(post.uri().toString())
                .headers(headers.build())
                .post(RequestBody.create(post.body().getBytes(StandardCharsets.UTF_8), null))
                .build();
        return idleTimeout -> client(idleTimeout).newCall(request);
    }

    private OkHttpClient client(Duration idleTimeout) {
        return byIdleTimeout.computeIfAbsent(idleTimeout, timeout -> client.newBuilder().readTimeout(timeout).build());
    }
}
