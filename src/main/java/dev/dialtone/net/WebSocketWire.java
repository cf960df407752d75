package dev.dialtone.net;


import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The client side of RFC 6455 on a blocking stream: the opening handshake and frames. Stateless;
 * {@link ProviderSocket} owns the connection and decides what frames mean.
 */
final class WebSocketWire {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CONTINUATION = 0x0;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Close codes this side sends when the provider breaks the protocol (RFC 6455 section 7.4.1). */
    static final int PROTOCOL_ERROR = 1002;
    static final int INVALID_DATA = 1007;
    static final int TOO_BIG = 1009;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_ERROR_BODY = 16 * 1024;
    /** Handshake nonces and masking keys: RFC 6455 section 5.3 asks that no one on the path can predict them. */
    private static final SecureRandom STRONG = new SecureRandom();

    private WebSocketWire() {
    }

    /** One frame as received; server frames are never masked. */
    record Frame(boolean fin, int opcode, byte[] payload) {
    }

    /**
     * What the provider sent breaks RFC 6455; {@link #code} is the close code to fail the
     * connection with: 1002 (protocol), 1007 (not UTF-8) or 1009 (too big).
     */
    static final class Violation extends ProtocolException {
        final int code;

        Violation(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    /**
     * Masking keys for one socket's frames, from a {@link SecureRandom} drawn 64 keys at a time so
     * that a frame does not pay for a call to it. Not thread-safe: the socket's send lock owns it.
     */
    static final class Masks {
        private final SecureRandom source;
        private final byte[] keys = new byte[256];
        private int next = keys.length;

        Masks() {
            this(STRONG);
        }

        Masks(SecureRandom source) {
            this.source = source;
        }

        /** Puts the next 4-byte key at {@code frame[at]}. */
        void next(byte[] frame, int at) {
            if (next == keys.length) {
                source.nextBytes(keys);
                next = 0;
            }
            System.arraycopy(keys, next, frame, at, 4);
            next += 4;
        }
    }

    /** The server answered the upgrade with something other than 101. */
    static final class UpgradeRefused extends IOException {
        final int status;
        final String body;

        UpgradeRefused(int status, String body) {
            super("upgrade refused with HTTP " + status);
            this.status = status;
            this.body = body;
        }
    }

    /**
     * Sends the upgrade request and reads the response up to its blank line; whatever the server
     * sends after it stays in {@code in} for the frame reader.
     *
     * @throws UpgradeRefused    a response other than 101, with its status and (short) body
     * @throws ProtocolException not an HTTP response, or a 101 that is not a WebSocket's (RFC 6455
     *                           section 4.1: Upgrade: websocket, Connection: Upgrade, the accept key)
     */
    static void handshake(URI uri, Map<String, String> headers, InputStream in, OutputStream out) throws IOException {
        var nonce = new byte[16];
        STRONG.nextBytes(nonce);
        var key = Base64.getEncoder().encodeToString(nonce);
        var fields = new LinkedHashMap<String, String>();
        fields.put("Upgrade", "websocket");
        fields.put("Connection", "Upgrade");
        fields.put("Sec-WebSocket-Key", key);
        fields.put("Sec-WebSocket-Version", "13");
        fields.putAll(headers);
        out.write(HttpWire.request("GET", uri, Origin.of(uri), fields, null));
        out.flush();

        var head = HttpWire.readFirstHead(in);
        if (head.status() != 101) {
            throw new UpgradeRefused(head.status(), readBody(in, head.header("content-length")));
        }
        if (!"websocket".equalsIgnoreCase(head.header("upgrade").strip())) {
            throw new ProtocolException("101 without Upgrade: websocket");
        }
        if (!hasToken(head.header("connection"), "upgrade")) {
            throw new ProtocolException("101 without Connection: Upgrade");
        }
        if (!acceptFor(key).equals(head.header("sec-websocket-accept"))) {
            throw new ProtocolException("101 without the Sec-WebSocket-Accept of our key");
        }
    }

    /** Whether a comma-separated header value names {@code token} (case-insensitive). */
    private static boolean hasToken(String value, String token) {
        for (var part : value.split(",")) {
            if (part.strip().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads one frame; an end of stream before a frame begins is an {@link EOFException}.
     *
     * @throws Violation a frame no server may send, or one longer than {@code maxPayload}
     */
    static Frame read(InputStream in, int maxPayload) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("connection closed without a close frame");
        }
        int b1 = readByte(in);
        if ((b0 & 0x70) != 0) {
            throw new Violation(PROTOCOL_ERROR, "reserved frame bits set (no extension was negotiated)");
        }
        if ((b1 & 0x80) != 0) {
            throw new Violation(PROTOCOL_ERROR, "a server frame must not be masked");
        }
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte(in) << 8) | readByte(in);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte(in);
            }
        }
        if (opcode >= CLOSE && (length > 125 || !fin)) {
            throw new Violation(PROTOCOL_ERROR, "control frame longer than 125 bytes or fragmented");
        }
        if (opcode > BINARY && opcode < CLOSE || opcode > PONG) {
            throw new Violation(PROTOCOL_ERROR, "unknown frame opcode " + opcode);
        }
        if (length < 0) {
            throw new Violation(PROTOCOL_ERROR, "frame length with its most significant bit set");
        }
        if (length > maxPayload) {
            throw new Violation(TOO_BIG, "frame of " + length + " bytes exceeds " + maxPayload);
        }
        var payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("connection closed inside a frame");
        }
        return new Frame(fin, opcode, payload);
    }

    /** Writes one whole, masked frame in a single write. */
    static void write(OutputStream out, int opcode, byte[] payload, Masks masks) throws IOException {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        var frame = new byte[header + 4 + length];
        frame[0] = (byte) (0x80 | opcode);
        if (length < 126) {
            frame[1] = (byte) (0x80 | length);
        } else if (length < 65536) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        masks.next(frame, header);
        for (int i = 0; i < length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ frame[header + (i & 3)]);
        }
        out.write(frame);
        out.flush();
    }

    /** A close frame's payload: the status code, then the reason in UTF-8. */
    static byte[] closePayload(int code, String reason) {
        var text = reason.getBytes(StandardCharsets.UTF_8);
        var payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return payload;
    }

    /**
     * A received close frame's status code, 1005 when it has none.
     *
     * @throws Violation a one-byte payload, or a code no endpoint may send (RFC 6455 section 7.4)
     */
    static int closeCode(byte[] payload) throws Violation {
        if (payload.length == 0) {
            return 1005;
        }
        if (payload.length == 1) {
            throw new Violation(PROTOCOL_ERROR, "close frame with a one-byte payload");
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (code < 1000 || code >= 5000 || (code >= 1004 && code <= 1006) || (code >= 1015 && code < 3000)) {
            throw new Violation(PROTOCOL_ERROR, "close code " + code + " may not be sent");
        }
        return code;
    }

    /** A received close frame's reason; it must be UTF-8 like any text. */
    static String closeReason(byte[] payload) throws Violation {
        return payload.length > 2 ? text(ByteBuffer.wrap(payload, 2, payload.length - 2)) : "";
    }

    /**
     * A text message's payload as a string (RFC 6455 section 8.1).
     *
     * @throws Violation the bytes are not UTF-8 (1007)
     */
    static String text(byte[] payload) throws Violation {
        var text = new String(payload, StandardCharsets.UTF_8);
        // The JDK replaces what is not UTF-8 with U+FFFD; only then is the strict check worth its cost.
        if (text.indexOf('\uFFFD') >= 0) {
            text(ByteBuffer.wrap(payload));
        }
        return text;
    }

    private static String text(ByteBuffer bytes) throws Violation {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString(); // a new decoder reports malformed input
        } catch (CharacterCodingException e) {
            throw new Violation(INVALID_DATA, "text that is not UTF-8");
        }
    }

    static String acceptFor(String key) {
        try {
            var sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    /** The start of a refusal's body, for the error message; never waits for more than it says. */
    private static String readBody(InputStream in, String contentLength) {
        try {
            int length = contentLength.isEmpty() ? 0 : Math.min(Integer.parseInt(contentLength.strip()), MAX_ERROR_BODY);
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } catch (IOException | NumberFormatException e) {
            return "";
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed inside a frame");
        }
        return b;
    }
}
