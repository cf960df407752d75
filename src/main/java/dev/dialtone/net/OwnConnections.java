package dev.dialtone.net;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLSocketFactory;

/**
 * The hand-written client's kept-alive HTTP/1.1 connections to one provider origin (the benchmark's
 * {@code -Ddialtone.http=own}), each carrying one request at a time:
 * a reply's request skips the TCP and TLS handshakes when an earlier reply left a connection.
 * The most recently used connection is taken first, so a quiet period lets the rest age out.
 */
final class OwnConnections {
    /** Longer than the gap between a call's turns; shorter than the providers' own idle limits. */
    private static final Duration MAX_IDLE = Duration.ofSeconds(30);
    private static final int MAX_KEPT = 256;

    private final Origin origin;
    private final Duration connectTimeout;
    private final SSLSocketFactory tls;
    private final ReentrantLock lock = new ReentrantLock();
    /** Idle connections, most recently used first; guarded by {@link #lock}. */
    private final Deque<Connection> idle = new ArrayDeque<>();

    /** @param tls the TLS client (the JDK's default trusts the system's CAs) */
    OwnConnections(Origin origin, Duration connectTimeout, SSLSocketFactory tls) {
        this.origin = origin;
        this.connectTimeout = connectTimeout;
        this.tls = tls;
    }

    Origin origin() {
        return origin;
    }

    /** An idle connection, or a new one (blocking up to the connect timeout). */
    Connection take() throws IOException {
        var now = System.nanoTime();
        while (true) {
            Connection kept;
            lock.lock();
            try {
                kept = idle.pollFirst();
            } finally {
                lock.unlock();
            }
            if (kept == null) {
                return new Connection(origin.connect(connectTimeout, tls));
            }
            if (now - kept.idleSince < MAX_IDLE.toNanos()) {
                kept.exchanges++;
                return kept;
            }
            kept.close();
        }
    }

    /**
     * Gives back a connection whose last response was read to its end, and closes those left idle
     * too long (the oldest are at the back).
     */
    void giveBack(Connection connection) {
        long now = System.nanoTime();
        connection.idleSince = now;
        var dropped = new ArrayList<Connection>();
        lock.lock();
        try {
            idle.addFirst(connection);
            while (idle.size() > MAX_KEPT || now - idle.peekLast().idleSince >= MAX_IDLE.toNanos()) {
                dropped.add(idle.pollLast());
            }
        } finally {
            lock.unlock();
        }
        dropped.forEach(Connection::close);
    }

    /** One connection; closing it from any thread ends a blocked read or write at once. */
    static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        /** Earlier requests this connection carried; 0 for a fresh one. */
        int exchanges;
        long idleSince;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        boolean reused() {
            return exchanges > 0;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed or broken: either way it is gone
            }
        }
    }
}
