package dev.dialtone.net;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An independent RFC 6455 server for {@link ProviderSocket}'s tests: Jetty 12's core WebSocket
 * server, whose frame-level API sends exactly the frames a test builds (fragments, pings, close
 * codes, payloads that are not UTF-8) and hands each received frame over as it came. It checks what
 * our client sends as strictly as it checks any client (masking, reserved bits, control frames,
 * close codes), so a shared misreading of the RFC by our client and our fakes shows up here.
 */
final class JettyPeer implements AutoCloseable {

    /** What the server does with what it receives. */
    enum Mode {
        /** Sends each data frame back as it came. */
        ECHO,
        /** Records frames and answers a close (Jetty's own echo). */
        RECORD,
        /** Records frames and never answers a close: a provider that leaves the handshake hanging. */
        NEVER_ANSWER_CLOSE
    }

    /** A frame as the server received it (payload unmasked, mask kept). */
    record Received(byte opcode, boolean fin, byte[] payload, byte[] mask) {
        int closeCode() {
            return new CloseStatus(ByteBuffer.wrap(payload)).getCode();
        }
    }

    private static final long WAIT_SECONDS = 10;

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server, 1, 1);
    private final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();

    JettyPeer(Mode mode) throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new WebSocketUpgradeHandler(upgrades ->
                upgrades.addMapping("/*", (request, response, callback) -> new Connection(mode, opened))));
        server.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/v1/listen");
    }

    /** The next connection the server accepted, once it is open. */
    Connection accepted() throws InterruptedException {
        var connection = opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (connection == null) {
            throw new AssertionError("the peer accepted no connection within " + WAIT_SECONDS + " s");
        }
        return connection;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** The server's side of one WebSocket: frames in as {@link Received}, frames out as built. */
    static final class Connection implements FrameHandler {
        private final Mode mode;
        private final BlockingQueue<Connection> opened;
        private final BlockingQueue<Received> frames = new LinkedBlockingQueue<>();
        private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
        private volatile CoreSession session;

        Connection(Mode mode, BlockingQueue<Connection> opened) {
            this.mode = mode;
            this.opened = opened;
        }

        /** Jetty's session, to send with or to configure (frame size, fragmentation). */
        CoreSession session() {
            return session;
        }

        /** Sends one frame and waits until Jetty has written it. */
        void send(Frame frame) throws Exception {
            var written = new FutureCallback();
            session.sendFrame(frame, written, false);
            written.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        /** Sends one frame without waiting (for one the client will refuse part-way). */
        void sendLater(Frame frame) {
            session.sendFrame(frame, Callback.NOOP, false);
        }

        static Frame frame(byte opcode, boolean fin, byte[] payload) {
            return new Frame(opcode, fin, ByteBuffer.wrap(payload));
        }

        /** The next frame received, failing the test if none comes in time. */
        Received next() throws InterruptedException {
            var frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("the peer received no frame within " + WAIT_SECONDS + " s");
            }
            return frame;
        }

        /** The next frame of this opcode, skipping others. */
        Received next(byte opcode) throws InterruptedException {
            while (true) {
                var frame = next();
                if (frame.opcode() == opcode) {
                    return frame;
                }
            }
        }

        /** How the connection ended for Jetty; fails if it has not within {@code seconds}. */
        CloseStatus closed(long seconds) throws Exception {
            return closed.get(seconds, TimeUnit.SECONDS);
        }

        @Override
        public void onOpen(CoreSession coreSession, Callback callback) {
            coreSession.setMaxFrameSize(1 << 20); // Jetty's default of 64 KiB would refuse our 70 000-byte frames
            coreSession.setAutoFragment(false); // frames in and out exactly as on the wire
            session = coreSession;
            callback.succeeded();
            opened.add(this);
            coreSession.demand(); // Jetty 12.1's core reads a frame only on demand
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            var payload = new byte[frame.getPayloadLength()];
            if (frame.hasPayload()) {
                frame.getPayload().slice().get(payload);
            }
            var mask = frame.isMasked() ? frame.getMask().clone() : null;
            frames.add(new Received(frame.getOpCode(), frame.isFin(), payload, mask));
            if (frame.getOpCode() == OpCode.CLOSE && mode == Mode.NEVER_ANSWER_CLOSE) {
                return; // the callback never completes, so Jetty never sends its close frame
            }
            if (mode == Mode.ECHO && frame.isDataFrame()) {
                session.sendFrame(frame(frame.getOpCode(), frame.isFin(), payload),
                        Callback.from(() -> succeeded(frame, callback), callback::failed), false);
                return;
            }
            succeeded(frame, callback);
        }

        private void succeeded(Frame frame, Callback callback) {
            callback.succeeded();
            if (frame.getOpCode() != OpCode.CLOSE) {
                session.demand();
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            closed.complete(closeStatus);
            callback.succeeded();
        }
    }
}
