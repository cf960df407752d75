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
 * HTTP/1.1 (RFC 9112) as a client speaks it on a blocking connection: a request out, a response
 * head in, and the response body as a stream that ends where the message ends (chunked or
 * Content-Length), so the connection can carry the next request. The provider WebSockets' upgrade
 * uses the request and head halves.
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

        /** Whether the server lets the connection carry another request. */
        boolean keepsAlive() {
            return !header("connection").toLowerCase(Locale.ROOT).contains("close");
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

    /** A response body that knows whether it was read to its end. */
    abstract static class Body extends InputStream {
        /** Whether the whole message was read, leaving the connection at the next response. */
        abstract boolean complete();

        @Override
        public int read() throws IOException {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public void close() {
            // the connection's owner closes or reuses it
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

    /**
     * Reads a response head, skipping interim (1xx) ones.
     *
     * @throws NoResponse        the connection ended (or was reset) before the first byte
     * @throws ProtocolException the bytes are not an HTTP/1.x response head
     */
    static Head readHead(InputStream in) throws IOException {
        while (true) {
            var head = readFirstHead(in);
            if (head.status() >= 200) {
                return head;
            }
        }
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

    /** The body that follows {@code head} on {@code in}. */
    static Body body(Head head, InputStream in) throws ProtocolException {
        if (head.status() == 204 || head.status() == 304) {
            return new Sized(in, 0); // never a body, whatever the headers say (RFC 9112 section 6.3)
        }
        if (head.header("transfer-encoding").toLowerCase(Locale.ROOT).contains("chunked")) {
            return new Chunked(in);
        }
        var length = head.header("content-length");
        if (!length.isEmpty()) {
            try {
                return new Sized(in, Long.parseLong(length));
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad Content-Length");
            }
        }
        return new UntilClose(in);
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

    /** Transfer-Encoding: chunked. Each read returns at most what one read of the connection gave. */
    private static final class Chunked extends Body {
        private final InputStream in;
        private long left;
        private boolean started;
        private boolean ended;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (left == 0) {
                if (started && !line(in, new int[] {MAX_LINE}).isEmpty()) {
                    throw new ProtocolException("chunk not followed by CRLF");
                }
                started = true;
                left = size(line(in, new int[] {MAX_LINE}));
                if (left == 0) {
                    skipTrailers();
                    ended = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the connection closed inside a chunk");
            }
            left -= n;
            return n;
        }

        private static long size(String line) throws ProtocolException {
            int end = line.indexOf(';'); // chunk extensions are allowed and ignored
            var hex = (end < 0 ? line : line.substring(0, end)).strip();
            try {
                long size = Long.parseLong(hex, 16);
                if (size < 0) {
                    throw new NumberFormatException();
                }
                return size;
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad chunk size");
            }
        }

        private void skipTrailers() throws IOException {
            var budget = new int[] {MAX_HEAD};
            while (!line(in, budget).isEmpty()) {
                // trailers carry nothing we use
            }
        }

        @Override
        boolean complete() {
            return ended;
        }
    }

    /** A body of Content-Length bytes. */
    private static final class Sized extends Body {
        private final InputStream in;
        private long left;

        Sized(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the connection closed " + left + " bytes before the body's end");
            }
            left -= n;
            return n;
        }

        @Override
        boolean complete() {
            return left == 0;
        }
    }

    /** A body that ends when the server closes the connection (HTTP/1.0 style). */
    private static final class UntilClose extends Body {
        private final InputStream in;

        UntilClose(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        boolean complete() {
            return false; // the connection is spent either way
        }
    }
}
