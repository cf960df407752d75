package dev.dialtone.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads a kept-alive client connection on its own thread, as a server's event loop does: the fake
 * sees the client hang up even while it streams a response, and the next request is there as soon
 * as it is sent (a reader that polled the socket would hold it back until its poll ended).
 */
final class FakeConnectionReader extends InputStream {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    /** Received and not yet consumed, oldest first; guarded by {@link #lock}. */
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Read position in the oldest chunk; guarded by {@link #lock}. */
    private int position;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long closedNanos;

    private FakeConnectionReader() {
    }

    /** Starts reading {@code in} until the client closes or resets the connection. */
    static FakeConnectionReader start(InputStream in) {
        var reader = new FakeConnectionReader();
        Thread.ofVirtual().name("fake-conn-reader").start(() -> reader.pump(in));
        return reader;
    }

    private void pump(InputStream in) {
        var buffer = new byte[16 * 1024];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                var chunk = java.util.Arrays.copyOf(buffer, n);
                lock.lock();
                try {
                    chunks.add(chunk);
                    readable.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // reset or closed: the client is gone either way
        }
        closedNanos = System.nanoTime();
        closed.countDown();
        lock.lock();
        try {
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        var one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (chunks.isEmpty()) {
                if (clientClosed()) {
                    return -1;
                }
                readable.await();
            }
            var chunk = chunks.peek();
            int n = Math.min(len, chunk.length - position);
            System.arraycopy(chunk, position, b, off, n);
            position += n;
            if (position == chunk.length) {
                chunks.poll();
                position = 0;
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        } finally {
            lock.unlock();
        }
    }

    boolean clientClosed() {
        return closed.getCount() == 0;
    }

    boolean awaitClientClose(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    /** System.nanoTime() when the client closed the connection, 0 if it has not. */
    long clientClosedNanos() {
        return closedNanos;
    }
}
