package dev.dialtone.fakes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A tiny HTTP/1.1 + WebSocket server on a raw socket: the base of every provider fake.
 *
 * <p>Why not Helidon WebServer: a fake must (1) answer a WebSocket upgrade with 401/429/500 or with
 * garbage, (2) notice within milliseconds that a client hung up while the fake itself is idle
 * (waiting out a scripted time to first token), and (3) cut a connection in the middle of a stream.
 * With a plain socket per connection and a reader that sees EOF, all three are direct.
 *
 * <p>Each connection is handled on its own virtual thread by the {@link Handler}. It carries one
 * exchange ({@code Connection: close}), or, for a fake made {@link #keepingAlive}, one after another
 * as long as each response was whole. Binds 127.0.0.1 on a free port.
 */
public final class FakeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FakeServer.class.getName());

    /** Handles one exchange on its own virtual thread; may block as long as it likes. */
    public interface Handler {
        void handle(FakeServerExchange exchange) throws Exception;
    }

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final boolean keepAlive;

    public FakeServer(Handler handler) {
        this(handler, javax.net.ServerSocketFactory.getDefault(), false);
    }

    /**
     * A fake whose HTTP responses keep the connection open for the next request, as the LLM APIs'
     * servers do (clients pool their connections).
     */
    public static FakeServer keepingAlive(Handler handler) {
        return new FakeServer(handler, javax.net.ServerSocketFactory.getDefault(), true);
    }

    /** A fake that speaks TLS with the context's key (https, wss). */
    public static FakeServer tls(Handler handler, javax.net.ssl.SSLContext context) {
        return new FakeServer(handler, context.getServerSocketFactory(), false);
    }

    private FakeServer(Handler handler, javax.net.ServerSocketFactory sockets, boolean keepAlive) {
        this.keepAlive = keepAlive;
        try {
            server = sockets.createServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a fake server", e);
        }
        acceptor = Thread.ofVirtual().name("fake-accept-" + port()).start(() -> accept(handler));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** http://127.0.0.1:port */
    public URI httpBase() {
        return URI.create("http://127.0.0.1:" + port());
    }

    private void accept(Handler handler) {
        while (!server.isClosed()) {
            try {
                var socket = server.accept();
                socket.setTcpNoDelay(true);
                open.add(socket);
                Thread.ofVirtual().name("fake-conn-" + port()).start(() -> serve(handler, socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Handler handler, Socket socket) {
        try (socket) {
            var keptAlive = keepAlive ? FakeConnectionReader.start(socket.getInputStream()) : null;
            InputStream in = keptAlive != null ? keptAlive : new BufferedInputStream(socket.getInputStream());
            FakeServerExchange exchange;
            do {
                exchange = FakeServerExchange.read(socket, in, keptAlive);
                if (exchange == null) {
                    return;
                }
                handler.handle(exchange);
            } while (exchange.carriesAnother());
        } catch (IOException e) {
            // the client went away; the exchange records what it saw
        } catch (Exception e) {
            LOG.log(Level.WARNING, "fake handler failed", e);
        } finally {
            open.remove(socket);
        }
    }

    /** Simulated latency: sleeps, keeping the interrupt flag if interrupted. */
    static void pause(java.time.Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (var socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        acceptor.interrupt();
    }
}
