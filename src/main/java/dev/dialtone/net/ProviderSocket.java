package dev.dialtone.net;


import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLSocketFactory;

/**
 * A client WebSocket to a speech provider: whole messages in (fragments joined), sends
 * serialised, and every end reported once as a close code or a failure ({@link ProviderError}s
 * for the connection).
 *
 * <p>It speaks RFC 6455 itself ({@link WebSocketWire}) over a blocking socket: one virtual thread
 * per socket reads frames and calls the {@link Handler}; a send writes its frame directly on the
 * sender's thread. Why not the JDK's {@code java.net.http.WebSocket}: its asynchronous plumbing
 * (a selector thread, completion stages and a scheduler task per message) cost about a fifth of the
 * server's CPU at 100 calls, each frame crossing threads twice; and when the peer dropped the
 * connection right after a message, it could swallow the end (an {@code InternalError} on its
 * selector thread), so the listener never heard of it. Helidon's client cannot set headers per
 * connection and returns silently at the end of the stream. Here, an end of stream is an end.
 *
 * <p>A send that cannot be written within {@link #SEND_TIMEOUT} (the peer stopped reading) is
 * ended by a shared {@link SocketWatchdog}, which aborts the connection and so fails the send. The
 * same watchdog is the close handshake's timer: a provider that leaves our close frame unanswered
 * for {@link #CLOSE_TIMEOUT} has its connection cut (a read already blocked would never see a
 * socket time-out set after it began). A sender interrupted while its write blocks closes the
 * connection too (socket I/O on a virtual thread is interruptible); the owners interrupt their
 * workers only when they drop the socket anyway.
 *
 * <p>A provider that breaks the protocol (a masked or unknown frame, text that is not UTF-8, a
 * message over {@link #MAX_MESSAGE}) fails the connection as RFC 6455 section 7.1.7 says: a close
 * frame with 1002, 1007 or 1009 goes out, the end is reported, and whatever the provider still
 * sends is read and dropped until it closes (within the close time-out), so that our close frame
 * is not lost to a TCP reset.
 */
public final class ProviderSocket {

    /** Receives one socket's messages, one call at a time, on the socket's reader thread. */
    public interface Handler {
        void onText(String text);

        void onBinary(byte[] data);

        /**
         * The socket ended, reported once: the provider's close frame ({@code error} null, its code
         * and reason), or a failure: 1006 when the connection broke or a close went unanswered,
         * or the code this side closed with when the provider broke the protocol (1002, 1007, 1009).
         */
        void onEnded(int code, String reason, Throwable error);
    }

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);
    /** How long a close waits for the provider's echo before the connection is dropped. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** The largest message (and frame) taken from a provider; a larger one fails the connection with 1009. */
    static final int MAX_MESSAGE = 16 * 1024 * 1024;
    private static final SocketWatchdog WATCHDOG = new SocketWatchdog();

    private final String provider;
    private final Socket connection;
    private final InputStream in;
    private final OutputStream out;
    private final Handler handler;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final WebSocketWire.Masks masks = new WebSocketWire.Masks(); // guarded by sendLock
    /** When the send in progress started (System.nanoTime), or 0; read by the watchdog. */
    private volatile long sendingSince;
    /** Set by the watchdog before it aborts a send; kept after the socket ends, for the sender. */
    private volatile boolean sendTimedOut;
    /** When our close frame went out (System.nanoTime), or 0; the watchdog cuts the handshake after CLOSE_TIMEOUT. */
    private volatile long closeSentAt;
    /** Set by the watchdog before it cuts an unanswered close, for the reader's report. */
    private volatile boolean closeTimedOut;
    /** Set when a close frame is written, by either side's initiative; guarded by sendLock. */
    private boolean closeSent;
    /** Set by {@link #abort()}: the owner dropped the socket and hears nothing more. */
    private volatile boolean aborted;
    private volatile boolean ended;

    private ProviderSocket(String provider, Socket connection, InputStream in, Handler handler) throws IOException {
        this.provider = provider;
        this.connection = connection;
        this.in = in;
        this.out = connection.getOutputStream();
        this.handler = handler;
    }

    /**
     * Opens the socket, blocking up to {@code connectTimeout} for the name's resolution and the TCP
     * connection together, and as long for each read of the TLS handshake and of the upgrade.
     *
     * @throws ProviderException typed: AUTH/RATE_LIMIT/SERVER for a refused upgrade, TIMEOUT,
     *                           NETWORK or PROTOCOL
     */
    public static ProviderSocket connect(String provider, URI uri, Map<String, String> headers,
                                         Duration connectTimeout, Handler handler) throws ProviderException {
        return connect(provider, uri, headers, connectTimeout, handler, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** As above, with the TLS client of one's choice (the JDK's default trusts the system's CAs). */
    static ProviderSocket connect(String provider, URI uri, Map<String, String> headers, Duration connectTimeout,
                                  Handler handler, SSLSocketFactory tlsFactory) throws ProviderException {
        if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not a WebSocket URL: " + uri);
        }
        Socket connection = null;
        try {
            connection = Origin.of(uri).connect(connectTimeout, tlsFactory); // its read timeout bounds the upgrade
            var in = new BufferedInputStream(connection.getInputStream(), 16 * 1024);
            WebSocketWire.handshake(uri, headers, in, connection.getOutputStream());
            connection.setSoTimeout(0);
            var socket = new ProviderSocket(provider, connection, in, handler);
            WATCHDOG.watch(socket);
            Thread.ofVirtual().name(provider + "-socket").start(socket::readLoop);
            return socket;
        } catch (WebSocketWire.UpgradeRefused e) {
            closeQuietly(connection);
            throw new ProviderException(ProviderError.ofStatus(provider, e.status, e.body));
        } catch (SocketTimeoutException e) {
            closeQuietly(connection);
            throw new ProviderException(new ProviderError(ProviderError.Kind.TIMEOUT, provider, "connect timed out", true));
        } catch (IOException e) {
            closeQuietly(connection);
            throw new ProviderException(ProviderError.ofException(provider, e));
        }
    }

    public void sendText(String text) throws ProviderException {
        send(WebSocketWire.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendBinary(byte[] data) throws ProviderException {
        send(WebSocketWire.BINARY, data);
    }

    private void send(int opcode, byte[] payload) throws ProviderException {
        try {
            if (ended || !write(opcode, payload)) {
                throw new ProviderException(new ProviderError(ProviderError.Kind.NETWORK, provider, "socket already closed", true));
            }
        } catch (IOException e) {
            if (sendTimedOut) {
                throw new ProviderException(new ProviderError(ProviderError.Kind.TIMEOUT, provider, "send timed out", true));
            }
            throw new ProviderException(ProviderError.ofException(provider, e));
        }
    }

    /**
     * Sends a normal close frame and returns; the provider's echo ends the socket, or, after
     * {@link #CLOSE_TIMEOUT} without one, the watchdog cuts the connection (reported as 1006).
     */
    public void close() {
        try {
            if (!ended) {
                write(WebSocketWire.CLOSE, WebSocketWire.closePayload(1000, ""));
            }
        } catch (IOException e) {
            closeQuietly(connection);
        }
    }

    /**
     * Writes one frame unless a close frame went first (then nothing more may follow) or the owner
     * aborted; returns whether it was written. Every frame, from any thread, goes through here, so
     * the watchdog sees every write.
     */
    private boolean write(int opcode, byte[] payload) throws IOException {
        sendLock.lock();
        try {
            if (closeSent || aborted) {
                return false;
            }
            closeSent = opcode == WebSocketWire.CLOSE;
            sendingSince = System.nanoTime();
            WebSocketWire.write(out, opcode, payload, masks);
            if (closeSent) {
                closeSentAt = System.nanoTime(); // the close handshake's timer starts
            }
            return true;
        } finally {
            sendingSince = 0;
            sendLock.unlock();
        }
    }

    /** Drops the connection at once, without a close handshake; the handler hears nothing more. */
    public void abort() {
        aborted = true;
        closeQuietly(connection);
    }

    /** The reader thread: frames in, whole messages and the end out. */
    private void readLoop() {
        try {
            readFrames();
        } catch (WebSocketWire.Violation e) {
            fail(e);
        } catch (IOException | RuntimeException e) {
            end(1006, "", closeTimedOut
                    ? new SocketTimeoutException("the provider did not answer the close within " + CLOSE_TIMEOUT.toSeconds() + " s")
                    : e);
        } finally {
            WATCHDOG.forget(this);
            closeQuietly(connection);
        }
    }

    private void readFrames() throws IOException {
        var message = new ByteArrayOutputStream();
        int messageType = -1;
        while (true) {
            var frame = WebSocketWire.read(in, MAX_MESSAGE);
            switch (frame.opcode()) {
                case WebSocketWire.TEXT, WebSocketWire.BINARY, WebSocketWire.CONTINUATION -> {
                    if (frame.opcode() != WebSocketWire.CONTINUATION) {
                        if (messageType != -1) {
                            throw new WebSocketWire.Violation(WebSocketWire.PROTOCOL_ERROR, "a new message began inside a fragmented one");
                        }
                        messageType = frame.opcode();
                    } else if (messageType == -1) {
                        throw new WebSocketWire.Violation(WebSocketWire.PROTOCOL_ERROR, "a continuation frame without a message");
                    }
                    if (message.size() + frame.payload().length > MAX_MESSAGE) {
                        throw new WebSocketWire.Violation(WebSocketWire.TOO_BIG, "message larger than " + MAX_MESSAGE + " bytes");
                    }
                    if (frame.fin()) {
                        deliver(messageType, message.size() == 0 ? frame.payload() : joined(message, frame.payload()));
                        message.reset();
                        messageType = -1;
                    } else {
                        message.writeBytes(frame.payload());
                    }
                }
                case WebSocketWire.PING -> write(WebSocketWire.PONG, frame.payload());
                case WebSocketWire.PONG -> {
                    // nobody pings from this side
                }
                case WebSocketWire.CLOSE -> {
                    int code = WebSocketWire.closeCode(frame.payload());
                    var reason = WebSocketWire.closeReason(frame.payload());
                    echoClose(code);
                    end(code, reason, null);
                    return;
                }
                default -> throw new WebSocketWire.Violation(WebSocketWire.PROTOCOL_ERROR, "unexpected frame opcode " + frame.opcode());
            }
        }
    }

    private void deliver(int type, byte[] payload) throws WebSocketWire.Violation {
        if (type == WebSocketWire.TEXT) {
            var text = WebSocketWire.text(payload);
            if (!aborted) {
                handler.onText(text);
            }
        } else if (!aborted) {
            handler.onBinary(payload);
        }
    }

    /**
     * Fails the connection for the provider's violation: our close frame with its code (unless a
     * close already went out), the end reported, then the provider's remaining bytes read and
     * dropped until it closes or the watchdog cuts the close handshake.
     */
    private void fail(WebSocketWire.Violation violation) {
        try {
            write(WebSocketWire.CLOSE, WebSocketWire.closePayload(violation.code, violation.getMessage()));
        } catch (IOException e) {
            // the connection is broken as well: there is nothing left to tell the provider
        }
        end(violation.code, "", violation);
        if (closeSentAt == 0) {
            return; // no close frame went out (aborted or broken): nothing to wait for
        }
        var sink = new byte[8192];
        try {
            while (in.read(sink) >= 0) {
                // frames after a violation mean nothing; only the provider's close of TCP matters
            }
        } catch (IOException e) {
            // cut by the watchdog, or reset by the provider: either way it is over
        }
    }

    private static byte[] joined(ByteArrayOutputStream head, byte[] tail) {
        head.writeBytes(tail);
        return head.toByteArray();
    }

    /** Answers the provider's close with one of ours (unless we sent ours first). */
    private void echoClose(int code) {
        try {
            write(WebSocketWire.CLOSE, code == 1005 ? new byte[0] : WebSocketWire.closePayload(code, ""));
        } catch (IOException e) {
            // the provider closed and went: its close frame already said what there is to say
        }
    }

    private void end(int code, String reason, Throwable error) {
        if (ended) {
            return;
        }
        ended = true;
        if (!aborted) {
            handler.onEnded(code, reason, error);
        }
    }

    private static void closeQuietly(Socket connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (IOException ignored) {
            // already closed or broken: either way it is gone
        }
    }

    /**
     * The watchdog's tick: cuts the connection of a send in progress for longer than
     * {@link #SEND_TIMEOUT} (which fails the blocked write and ends the reader) or of a close left
     * unanswered for {@link #CLOSE_TIMEOUT} (which ends the reader, blocked waiting for the echo).
     */
    void checkDeadlines(long now) {
        long since = sendingSince;
        if (since != 0 && now - since > SEND_TIMEOUT.toNanos()) {
            sendTimedOut = true;
            closeQuietly(connection);
        }
        long closed = closeSentAt;
        if (closed != 0 && now - closed > CLOSE_TIMEOUT.toNanos()) {
            closeTimedOut = true;
            closeQuietly(connection);
        }
    }

    /** Converts http(s) base URLs to ws(s), keeping host, port and path. */
    public static URI webSocketBase(URI base) {
        var scheme = switch (base.getScheme()) {
            case "https", "wss" -> "wss";
            case "http", "ws" -> "ws";
            default -> throw new IllegalArgumentException("unsupported scheme in " + base);
        };
        return URI.create(scheme + base.toString().substring(base.getScheme().length()));
    }

    /** A refused or dropped socket as an IOException-free error for a handler's onEnded. */
    public static ProviderError endedError(String provider, int code, String reason, Throwable error) {
        if (error != null) {
            return ProviderError.ofException(provider, error instanceof IOException ? error : new IOException(error));
        }
        // 1008 (policy violation) is how Deepgram and ElevenLabs refuse what we sent: retrying repeats it.
        var kind = code == 1008 ? ProviderError.Kind.PROTOCOL : ProviderError.Kind.NETWORK;
        return new ProviderError(kind, provider,
                "socket closed by provider: " + code + (reason.isBlank() ? "" : " " + ProviderError.abbreviate(reason)), code != 1008);
    }
}
