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
 * One provider's HTTP client (OkHttp): its pool of kept-alive connections (a reply's request skips
 * the TCP and TLS handshakes when an earlier one left a connection), connect timeout and TLS.
 * Requests go through {@link ProviderPost}.
 *
 * <p>Set up for the callers' blocking model: HTTP/1.1 only, because OkHttp reads an HTTP/2
 * connection on a reader thread of its own and hands each frame over to the caller (a thread hop
 * per event), and would carry every call to a provider on one TCP connection; connects on the
 * caller's thread ({@code fastFallback} off: no racing connect threads); redirects not followed (a
 * provider API does not redirect, and a redirected POST is not the request we sent). OkHttp sends a
 * request again when its pooled connection turns out to have been closed by the server while idle,
 * never after a fresh connection of the only route failed.
 */
public final class ProviderConnections {
    /** Longer than the gap between a call's turns; shorter than the providers' own idle limits. */
    private static final Duration MAX_IDLE = Duration.ofSeconds(30);
    private static final int MAX_KEPT = 256;

    private final Origin origin;
    private final Duration connectTimeout;
    private final SSLSocketFactory tls;
    private final X509TrustManager trust;
    /** Made at the first request (guarded by this): the JDK's TLS set-up is a quarter second of the server's start. */
    private OkHttpClient client;
    /** The client with each idle timeout (a provider uses one), sharing the base client's pool. */
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
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.trust = trust;
    }

    private synchronized OkHttpClient base() {
        if (client == null) {
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
            client = builder.build();
        }
        return client;
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
        return byIdleTimeout.computeIfAbsent(idleTimeout, timeout -> base().newBuilder().readTimeout(timeout).build());
    }
}
