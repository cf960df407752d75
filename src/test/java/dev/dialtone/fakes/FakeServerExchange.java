package dev.dialtone.fakes;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP request received by a {@link FakeServer}, and the ways a fake can answer it: a whole
 * response, a chunked stream, a WebSocket upgrade, or a fault (refuse, garbage, drop).
 *
 * <p>{@link #clientClosedNanos()} is when the client hung up, which is how fakes prove that a cancel
 * reached them: a kept-alive connection is read all the time by its {@link FakeConnectionReader};
 * on others a watcher thread reads the socket until EOF once the request is in.
 */
public final class FakeServerExchange {
    private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String method;
    private final String path;
    private final Map<String, List<String>> query;
    private final Map<String, String> headers;
    private final byte[] body;
    private final CountDownLatch clientClosed = new CountDownLatch(1);
    private final long receivedNanos = System.nanoTime();
    /** The kept-alive connection's reader, or null when the connection carries only this exchange. */
    private final FakeConnectionReader keptAlive;
    /** The hang-up watcher, while one runs; the exchange's own thread only. */
    private Thread watcher;
    /** Set once the whole response has been written; cleared by a fault. Exchange thread only. */
    private boolean complete;
    /** Written once by the watcher thread. */
    private volatile long clientClosedNanos;

    private FakeServerExchange(Socket socket, InputStream in, String method, String target,
                               Map<String, String> headers, byte[] body, FakeConnectionReader keptAlive) throws IOException {
        this.keptAlive = "close".equalsIgnoreCase(headers.getOrDefault("connection", "")) ? null : keptAlive;
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.method = method;
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        this.query = parseQuery(q < 0 ? "" : target.substring(q + 1));
        this.headers = headers;
        this.body = body;
    }

    /**
     * Reads one request head and its Content-Length body from {@code in}; null when the client sent
     * nothing. With {@code keptAlive} (which then is {@code in}) the response leaves the connection
     * open for the next request.
     */
    static FakeServerExchange read(Socket socket, InputStream in, FakeConnectionReader keptAlive) throws IOException {
        var requestLine = readLine(in);
        if (requestLine == null || requestLine.isBlank()) {
            return null;
        }
        var parts = requestLine.split(" ");
        var headers = new LinkedHashMap<String, String>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        var body = in.readNBytes(length);
        return new FakeServerExchange(socket, in, parts[0], parts.length > 1 ? parts[1] : "/", headers, body, keptAlive);
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                var text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        var map = new LinkedHashMap<String, List<String>>();
        for (var pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            var name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            var value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            map.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return map;
    }

    public int remotePort() {
        return socket.getPort();
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** First value of a query parameter. */
    public Optional<String> query(String name) {
        var values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** All values of a repeatable query parameter (e.g. Deepgram's keyterm). */
    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** A request header by case-insensitive name. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Sends a whole response and closes the connection. */
    public void respond(int status, String contentType, String body) throws IOException {
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + bytes.length + connectionHeader() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
        complete = true;
    }

    /** Starts a chunked response; follow with {@link #writeChunk} and {@link #endChunks}. */
    public void startChunks(int status, String contentType) throws IOException {
        out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + contentType
                + "\r\nTransfer-Encoding: chunked\r\nCache-Control: no-cache" + connectionHeader() + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        watchForHangUp();
    }

    /**
     * Writes bytes exactly as given, for tests of a client's HTTP parsing; {@code whole} says they
     * end a response after which a kept-alive connection may carry the next request.
     */
    public void writeRaw(byte[] bytes, boolean whole) throws IOException {
        out.write(bytes);
        out.flush();
        complete = whole;
    }

    /** Writes one chunk and flushes it; throws once the client has gone. */
    public void writeChunk(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public void writeChunk(String text) throws IOException {
        writeChunk(text.getBytes(StandardCharsets.UTF_8));
    }

    public void endChunks() throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        complete = true;
    }

    private String connectionHeader() {
        return keptAlive != null ? "" : "\r\nConnection: close";
    }

    /** After the handler returns: whether the connection can carry the next request. */
    boolean carriesAnother() {
        return keptAlive != null && complete && !socket.isClosed() && !clientClosed();
    }

    /** Accepts a WebSocket upgrade (the caller checked the request first). */
    public FakeServerWebSocket upgrade() throws IOException {
        var key = header("sec-websocket-key").orElseThrow(() -> new IOException("not a WebSocket upgrade"));
        String accept;
        try {
            var sha1 = MessageDigest.getInstance("SHA-1").digest((key + WS_GUID).getBytes(StandardCharsets.ISO_8859_1));
            accept = Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return new FakeServerWebSocket(socket, in, out);
    }

    public boolean isWebSocketUpgrade() {
        return header("upgrade").map(u -> u.equalsIgnoreCase("websocket")).orElse(false);
    }

    /** Answers with a fault instead of the normal response. */
    public void fault(FakeServerFault fault) throws IOException {
        switch (fault) {
            case REFUSE -> socket.close();
            case GARBAGE -> {
                out.write("\u0016\u0003garbage \u00ff\u00fe not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.close();
            }
            case UNAUTHORIZED -> respond(401, "application/json", "{\"err_code\":\"INVALID_AUTH\",\"err_msg\":\"Invalid credentials.\"}");
            case RATE_LIMITED -> respond(429, "application/json", "{\"err_code\":\"TOO_MANY_REQUESTS\",\"err_msg\":\"Too many requests.\"}");
            case SERVER_ERROR -> respond(500, "application/json", "{\"err_code\":\"INTERNAL\",\"err_msg\":\"Internal server error.\"}");
            case STALL -> {
                watchForHangUp();
                try {
                    awaitClientClose(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case DROP_MID_STREAM -> throw new IllegalArgumentException("DROP_MID_STREAM happens inside a stream, not instead of one");
        }
    }

    /** Closes the connection abruptly. */
    public void drop() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // dropping is the point
        }
    }

    /**
     * Starts reading the socket until EOF, to notice a client that hangs up before or during the
     * response (idempotent; not for WebSocket upgrades, whose frames the socket reader needs).
     */
    public void watchForHangUp() {
        if (watcher != null || keptAlive != null) {
            return; // a kept-alive connection's reader watches all the time
        }
        watcher = Thread.ofVirtual().name("fake-hangup-watch").start(() -> {
            try {
                while (in.read() != -1) {
                    // a client sends nothing more on a connection that carries one exchange
                }
            } catch (IOException e) {
                // reset or closed: the client is gone either way
            }
            clientClosedNanos = System.nanoTime();
            clientClosed.countDown();
        });
    }

    /** Waits until the client closes the connection; returns false on timeout. */
    public boolean awaitClientClose(long millis) throws InterruptedException {
        return keptAlive != null ? keptAlive.awaitClientClose(millis) : clientClosed.await(millis, TimeUnit.MILLISECONDS);
    }

    public boolean clientClosed() {
        return keptAlive != null ? keptAlive.clientClosed() : clientClosed.getCount() == 0;
    }

    /** When the request had been read (System.nanoTime). */
    public long receivedNanos() {
        return receivedNanos;
    }

    /** System.nanoTime() when the client closed the connection, 0 if it has not. */
    public long clientClosedNanos() {
        return keptAlive != null ? keptAlive.clientClosedNanos() : clientClosedNanos;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 401 -> "Unauthorized";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            default -> "Status";
        };
    }
}
