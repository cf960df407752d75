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
 * <p>Threads: {@link Handler} methods run one at a time on the client's virtual-thread executor.
 * Sends may come from any thread; {@link #sendLock} keeps one in flight, as the JDK requires.
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

    private final String provider;
    private final WebSocket socket;
    private final ReentrantLock sendLock = new ReentrantLock();

    private ProviderSocket(String provider, WebSocket socket) {
        this.provider = provider;
        this.socket = socket;
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
        var future = builder.buildAsync(uri, new Reader(handler));
        try {
            return new ProviderSocket(provider, future.get(connectTimeout.toMillis() + 500, TimeUnit.MILLISECONDS));
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
        socket.abort();
    }

    /** Joins fragments and forwards whole messages. JDK callback threads, one at a time. */
    private static final class Reader implements WebSocket.Listener {
        private final Handler handler;
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private boolean ended;

        Reader(Handler handler) {
            this.handler = handler;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                var message = text.toString();
                text.setLength(0);
                handler.onText(message);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            var bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                var message = binary.toByteArray();
                binary.reset();
                handler.onBinary(message);
            }
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

        private void end(int code, String reason, Throwable error) {
            if (!ended) {
                ended = true;
                handler.onEnded(code, reason, error);
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
