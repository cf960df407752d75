package dev.dialtone.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Where a provider is dialled: host, port, and whether TLS is spoken. Opens the speech clients'
 * WebSocket connections; the HTTP ones are OkHttp's ({@link ProviderConnections}), which keeps
 * each provider's requests on its own origin with {@link #of}.
 *
 * @param host   a name or a bare IP address (an IPv6 address without brackets)
 * @param port   the TCP port
 * @param secure whether the connection speaks TLS (https, wss)
 */
public record Origin(String host, int port, boolean secure) {

    /** The origin of an http, https, ws or wss URL; the port defaults to the scheme's. */
    public static Origin of(URI uri) {
        boolean secure = switch (String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT)) {
            case "https", "wss" -> true;
            case "http", "ws" -> false;
            default -> throw new IllegalArgumentException("not an http(s) or ws(s) URL: " + uri);
        };
        var host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in " + uri);
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Origin(host, uri.getPort() >= 0 ? uri.getPort() : defaultPort(secure), secure);
    }

    /** A URL's request target on its origin: the path (at least "/") and the query, as sent. */
    public static String target(URI uri) {
        var path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** The value of a Host header: the port only when it is not the scheme's default. */
    public String authority() {
        var name = host.contains(":") ? "[" + host + "]" : host;
        return port == defaultPort(secure) ? name : name + ":" + port;
    }

    /**
     * Opens a connection within {@code timeout}, which bounds the name's resolution and the TCP
     * connection together, and each read of the TLS handshake; the socket's read timeout is left at
     * {@code timeout} for the caller to change.
     *
     * @param tls the TLS client to use when secure (the JDK's default trusts the system's CAs)
     * @throws SocketTimeoutException the name was not resolved or the connection not made in time
     */
    public Socket connect(Duration timeout, SSLSocketFactory tls) throws IOException {
        int millis = (int) Math.max(1, timeout.toMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        var address = resolve(deadline);
        var plain = new Socket();
        try {
            plain.setTcpNoDelay(true); // small frames and requests must not wait for acknowledgements
            plain.connect(new InetSocketAddress(address, port), millisUntil(deadline));
            plain.setSoTimeout(millis);
            if (!secure) {
                return plain;
            }
            var socket = (SSLSocket) tls.createSocket(plain, host, port, true); // names the host (SNI)
            var parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * The host's address, looked up on a virtual thread of its own: the JDK's resolver has no
     * time-out, and one that hangs (a dead DNS server) must not hold the caller past its deadline.
     * A lookup given up on finishes in the background and fills the JDK's address cache.
     */
    private InetAddress resolve(long deadline) throws IOException {
        var lookup = new FutureTask<>(() -> InetAddress.getByName(host));
        Thread.ofVirtual().name("resolve-" + host).start(lookup);
        try {
            return lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("resolving " + host + " took longer than the connect time-out");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException cause) {
                throw cause; // UnknownHostException
            }
            throw new IOException("resolving " + host + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while resolving " + host);
        }
    }

    /** What is left until {@code deadline}, at least 1 ms (0 would mean no time-out at all). */
    private static int millisUntil(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left < 1) {
            throw new SocketTimeoutException("no time left to connect");
        }
        return (int) left;
    }

    private static int defaultPort(boolean secure) {
        return secure ? 443 : 80;
    }
}
