package dev.dialtone.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP/1.1 (RFC 9112) of the provider WebSockets' upgrade, on a blocking connection: the
 * request out and the response head in.
 */
public final class HttpWire {
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEAD = 64 * 1024;

    private HttpWire() {
    }

    /** A response's status and headers; header names are lower-case, repeated ones joined by ", ". */
    public record Head(int status, Map<String, String> headers) {
        /** A header by its lower-case name, "" if absent. */
        public String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    /**
     * The connection ended before the first byte of a response. On a pooled connection this means
     * the server had closed it while idle and never saw the request, so sending it again is safe.
     */
    static final class NoResponse extends IOException {
        NoResponse(Throwable cause) {
            super("the connection closed before a response", cause);
        }
    }

    /**
     * One request: its head and body in one array, so they leave in one write. A null body sends
     * no Content-Length (a GET).
     *
     * @throws IllegalArgumentException a header name that is not a token, or a value with CR or LF
     */
    public static byte[] request(String method, URI uri, Origin origin, Map<String, String> headers, byte[] body) {
        var head = new StringBuilder(256)
                .append(method).append(' ').append(Origin.target(uri)).append(" HTTP/1.1\r\n")
                .append("Host: ").append(origin.authority()).append("\r\n");
        headers.forEach((name, value) -> {
            if (!token(name) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header not allowed: " + name);
            }
            head.append(name).append(": ").append(value).append("\r\n");
        });
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        var bytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return bytes;
        }
        var message = new byte[bytes.length + body.length];
        System.arraycopy(bytes, 0, message, 0, bytes.length);
        System.arraycopy(body, 0, message, bytes.length, body.length);
        return message;
    }

    /** The next response head, interim or not: a 101 is the answer to a WebSocket upgrade. */
    public static Head readFirstHead(InputStream in) throws IOException {
        int first;
        try {
            first = in.read();
        } catch (SocketException e) {
            throw new NoResponse(e);
        }
        if (first < 0) {
            throw new NoResponse(null);
        }
        var budget = new int[] {MAX_HEAD - 1};
        var statusLine = (char) first + line(in, budget);
        var parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new ProtocolException("not an HTTP response");
        }
        var headers = new LinkedHashMap<String, String>();
        for (var line = line(in, budget); !line.isEmpty(); line = line(in, budget)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !token(line.substring(0, colon))) {
                throw new ProtocolException("malformed response header");
            }
            var name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            var value = line.substring(colon + 1).strip();
            headers.merge(name, value, (earlier, later) -> earlier + ", " + later);
        }
        return new Head(Integer.parseInt(parts[1]), headers);
    }

    /** A line ending in CRLF (or LF), without it; counts against the head's byte budget. */
    private static String line(InputStream in, int[] budget) throws IOException {
        var bytes = new ByteArrayOutputStream(64);
        int limit = Math.min(MAX_LINE, budget[0]);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed inside a response head");
            }
            if (bytes.size() >= limit) {
                throw new ProtocolException("response head too long");
            }
            bytes.write(b);
        }
        budget[0] -= bytes.size() + 1;
        var text = bytes.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static boolean token(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
