package dev.dialtone.speech;

import dev.dialtone.llm.ProviderError;
import dev.dialtone.llm.ProviderException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client WebSocket to a speech provider over the JDK's {@link WebSocket}: whole messages in
 * (fragments joined), sends serialised, and failures as {@link ProviderError}s.
 *
 * <p>Why the JDK client: it sets {@code Authorization}/{@code xi-api-key} on the upgrade, reports a
 * refused upgrade with its HTTP status ({@code WebSocketHandshakeException}), and delivers binary
 * frames as ByteBuffers with explicit fragment boundaries.
 *
 * <p>Threads: {@link Handler} methods run one at a time on the client's virtual-thread executor
 * (or on this socket's probe thread, for an end the JDK lost). Sends may come from any thread;
 * {@link #sendLock} keeps one in flight, as the JDK requires.
 *
 * <p>Why the probe: when the peer drops the TCP connection right after a message, the JDK client
 * reads the end of stream while it has no demand and throws {@code InternalError} from
 * {@code TransportImpl.acknowledgeReception}; if that happens on its selector thread the error is
 * swallowed and the listener never hears of the end. So after {@link #PROBE_AFTER} without inbound
 * traffic the socket sends Pings until something arrives: on a dropped connection a write soon
 * fails, and the failure is reported through {@link Handler#onEnded} like any other drop.
 */
public final class ProviderSocket {

    /** Receives one socket's messages, one call at a time. */
    public interface Handler {
        void onText(String text);

        void onBinary(byte[] data);

        /** The socket ended: a close frame ({@code error} null) or a failure. Called once. */
        void onEnded(int code, String reason, Throwable error);
    }

    /**
     * Shared by all sockets, a few clients deep: each JDK client does all its socket I/O on one
     * selector thread, so hundreds of calls' audio on a single client queue behind each other.
     */
    private static final HttpClient[] CLIENTS = java.util.stream.IntStream
            .range(0, Math.max(2, Runtime.getRuntime().availableProcessors() * 2))
            .mapToObj(i -> HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build())
            .toArray(HttpClient[]::new);
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_CLIENT = new java.util.concurrent.atomic.AtomicInteger();
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);
    /** Inbound silence after which a Ping checks that the connection still exists. */
    private static final Duration PROBE_AFTER = Duration.ofMillis(500);
    /**
     * Pause between Pings while none is answered. On a dropped connection the JDK accepts the first
     * write or two and fails a later one, so unanswered Pings are repeated quickly.
     */
    private static final Duration REPROBE_AFTER = Duration.ofMillis(100);

    private final String provider;
    private final WebSocket socket;
    private final Reader reader;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Set by {@link #abort()}: the owner dropped the socket, so the probe stops and reports nothing. */
    private volatile boolean aborted;

    private ProviderSocket(String provider, WebSocket socket, Reader reader) {
        this.provider = provider;
        this.socket = socket;
        this.reader = reader;
    }

    /**
     * Opens the socket, blocking up to {@code connectTimeout} for the upgrade.
     *
     * @throws ProviderException typed: AUTH/RATE_LIMIT/SERVER for a refused upgrade, TIMEOUT,
     *                           NETWORK or PROTOCOL
     */
    public static ProviderSocket connect(String provider, URI uri, Map<String, String> headers,
                                         Duration connectTimeout, Handler handler) throws ProviderException {
        var client = CLIENTS[Math.floorMod(NEXT_CLIENT.getAndIncrement(), CLIENTS.length)];
        var builder = client.newWebSocketBuilder().connectTimeout(connectTimeout);
        headers.forEach(builder::header);
        var reader = new Reader(handler);
        var future = builder.buildAsync(uri, reader);
        try {
            var opened = new ProviderSocket(provider, future.get(connectTimeout.toMillis() + 500, TimeUnit.MILLISECONDS), reader);
            Thread.ofVirtual().name(provider + "-socket-probe").start(opened::probe);
            return opened;
        } catch (ExecutionException e) {
            throw new ProviderException(ProviderError.ofException(provider, e.getCause()));
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ProviderException(new ProviderError(ProviderError.Kind.TIMEOUT, provider, "connect timed out", true));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderException(new ProviderError(ProviderError.Kind.NETWORK, provider, "connect interrupted", true));
        }
    }

    public void sendText(String text) throws ProviderException {
        send(() -> socket.sendText(text, true));
    }

    public void sendBinary(byte[] data) throws ProviderException {
        send(() -> socket.sendBinary(ByteBuffer.wrap(data), true));
    }

    private void send(java.util.function.Supplier<CompletableFuture<WebSocket>> action) throws ProviderException {
        sendLock.lock();
        try {
            action.get().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ProviderException(ProviderError.ofException(provider, e.getCause()));
        } catch (TimeoutException e) {
            socket.abort();
            throw new ProviderException(new ProviderError(ProviderError.Kind.TIMEOUT, provider, "send timed out", true));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(new ProviderError(ProviderError.Kind.NETWORK, provider, "send interrupted", true));
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new ProviderException(new ProviderError(ProviderError.Kind.NETWORK, provider, "socket already closed", true));
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a normal close frame; the provider's echo ends the socket. */
    public void close() {
        sendLock.lock();
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException | IllegalStateException e) {
            socket.abort();
        } catch (InterruptedException e) {
            socket.abort();
            Thread.currentThread().interrupt();
        } finally {
            sendLock.unlock();
        }
    }

    /** Drops the connection at once, without a close handshake. */
    public void abort() {
        aborted = true;
        socket.abort();
    }

    /**
     * Probe thread: while the socket is open, pings it after each {@link #PROBE_AFTER} of inbound
     * silence, and every {@link #REPROBE_AFTER} while unanswered; a Ping that cannot be written
     * means the connection is gone, which ends the socket.
     */
    private void probe() {
        try {
            while (!aborted && !reader.isEnded() && !socket.isOutputClosed()) {
                long wait = PROBE_AFTER.toNanos() - (System.nanoTime() - reader.lastHeardNanos);
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                    continue;
                }
                var gone = ping();
                if (gone != null) {
                    lost(gone); // outside the send lock: a handler may close the socket as it hears of the end
                    return;
                }
                Thread.sleep(REPROBE_AFTER);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pings the socket; returns why the connection is gone, or null. */
    private Throwable ping() throws InterruptedException {
        if (!sendLock.tryLock()) {
            return null; // a send in flight writes to the connection too, and reports its own failure
        }
        try {
            if (!aborted && !socket.isOutputClosed()) {
                socket.sendPing(ByteBuffer.allocate(0)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return new IOException("ping not written within " + SEND_TIMEOUT.toMillis() + " ms");
        } catch (IllegalStateException | IllegalArgumentException e) {
            return null; // closed meanwhile: whoever closed it knows
        } finally {
            sendLock.unlock();
        }
    }

    /** The connection is gone though the JDK said nothing: end it and tell the handler. */
    private void lost(Throwable cause) {
        socket.abort();
        if (!aborted) {
            reader.end(1006, "", cause);
        }
    }

    /** Joins fragments and forwards whole messages. JDK callback threads, one at a time. */
    private static final class Reader implements WebSocket.Listener {
        private final Handler handler;
        /** Held around each handler call, so the probe thread's end never overlaps a JDK callback. */
        private final ReentrantLock handlerLock = new ReentrantLock();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        /** When anything (a message, a fragment, a pong) last arrived. */
        private volatile long lastHeardNanos = System.nanoTime();
        /** Guarded by {@link #handlerLock}. */
        private volatile boolean ended;

        Reader(Handler handler) {
            this.handler = handler;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastHeardNanos = System.nanoTime();
            text.append(data);
            if (last) {
                var message = text.toString();
                text.setLength(0);
                deliver(() -> handler.onText(message));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            lastHeardNanos = System.nanoTime();
            var bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                var message = binary.toByteArray();
                binary.reset();
                deliver(() -> handler.onBinary(message));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            lastHeardNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            end(statusCode, reason, null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            end(1006, "", error);
        }

        boolean isEnded() {
            return ended;
        }

        /** Passes a whole message on unless the socket already ended (its end reported by the probe). */
        private void deliver(Runnable call) {
            handlerLock.lock();
            try {
                if (!ended) {
                    call.run();
                }
            } finally {
                handlerLock.unlock();
            }
        }

        void end(int code, String reason, Throwable error) {
            handlerLock.lock();
            try {
                if (!ended) {
                    ended = true;
                    handler.onEnded(code, reason, error);
                }
            } finally {
                handlerLock.unlock();
            }
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
