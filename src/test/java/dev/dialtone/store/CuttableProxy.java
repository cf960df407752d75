package dev.dialtone.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on loopback in front of a real database server, which a test can cut (refuse new
 * connections and reset the open ones, as when the database host goes away) and restore on the
 * same port. The database itself keeps running, so what it had committed is still there.
 */
final class CuttableProxy implements AutoCloseable {

    private final int targetPort;
    private final int port;
    /** Sockets of live forwarded connections; any thread. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Replaced by restore(); test thread writes, accept thread reads. */
    private volatile ServerSocket listener;

    CuttableProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        startAccepting(listener);
    }

    int port() {
        return port;
    }

    /** New connections are refused and open ones die, until {@link #restore()}. */
    void cut() throws IOException {
        listener.close();
        for (var socket : open) {
            socket.close();
        }
        open.clear();
    }

    void restore() throws IOException {
        listener = listen(port);
        startAccepting(listener);
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private static ServerSocket listen(int port) throws IOException {
        var server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return server;
    }

    private void startAccepting(ServerSocket server) {
        Thread.ofVirtual().name("proxy-accept").start(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return; // cut
                }
                try {
                    var upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    System.err.println("proxy: cannot reach port " + targetPort + ": " + e);
                    closeQuietly(client);
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().name("proxy-pump").start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed or was cut; close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
