package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.socket.SocketContext;
import io.helidon.websocket.WsSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.RawTwilioStream;

/**
 * One socket's listener against a session stub, for the ends no real peer can stage on its own:
 * a send that fails while the socket is still read, and a reader thread that ends unannounced.
 */
class MediaStreamConnectionTest {
    private final ActiveCalls active = new ActiveCalls();
    private final List<String> closed = new CopyOnWriteArrayList<>();
    private final AtomicReference<OutboundStream> out = new AtomicReference<>();
    private final MediaStreamEndpoint endpoint = new MediaStreamEndpoint(
            (prologue, headers) -> Optional.empty(),
            (start, stream) -> {
                out.set(stream);
                return new CallHandler() {
                    @Override
                    public void onEvent(StreamEvent event) {
                    }

                    @Override
                    public void onStreamClosed(String reason) {
                        closed.add(reason);
                    }
                };
            },
            active, new TelephonyMetrics(new SimpleMeterRegistry(), active), 65536,
            StreamLimits.defaults().withoutIdleTimeout(), Clock.systemUTC());

    @Test
    void aFailedSendEndsTheCallAtOnce() {
        var session = new StubSession();
        var connection = endpoint.get();
        connection.onOpen(session);
        connection.onMessage(session, RawTwilioStream.start("CA1", "MZ1", "AC1", Map.of()), true);
        assertThat(active.get("CA1")).isPresent();

        session.failSends = true;
        assertThat(out.get().send(new StreamCommand.Clear())).isFalse();

        assertThat(closed).containsExactly("connection lost: a send failed (UncheckedIOException)");
        assertThat(active.get("CA1")).isEmpty();
        assertThat(out.get().send(new StreamCommand.Clear())).as("nothing is sent after the end").isFalse();
        connection.onClose(session, 1000, "normal"); // the call hears of its end once
        assertThat(closed).hasSize(1);
    }

    @Test
    void aSocketWhoseReaderThreadEndedWithoutACloseEndsTheCall() throws Exception {
        var session = new StubSession();
        var connection = endpoint.get();
        // Helidon calls the listener on the socket's own thread, and that thread ends with the socket
        var reader = Thread.ofVirtual().start(() -> {
            connection.onOpen(session);
            connection.onMessage(session, RawTwilioStream.start("CA2", "MZ2", "AC1", Map.of()), true);
        });
        reader.join();
        Await.until(() -> !closed.isEmpty(), Duration.ofSeconds(5));
        assertThat(closed).containsExactly(MediaStreamConnection.LOST);
        assertThat(active.get("CA2")).isEmpty();
    }

    /** A session whose sends can be made to fail, as a broken connection's do. */
    private static final class StubSession implements WsSession {
        volatile boolean failSends;

        @Override
        public WsSession send(String text, boolean last) {
            if (failSends) {
                throw new UncheckedIOException(new SocketException("Broken pipe"));
            }
            return this;
        }

        @Override
        public WsSession send(BufferData bufferData, boolean last) {
            return send("", last);
        }

        @Override
        public WsSession ping(BufferData bufferData) {
            return this;
        }

        @Override
        public WsSession pong(BufferData bufferData) {
            return this;
        }

        @Override
        public WsSession close(int code, String reason) {
            return this;
        }

        @Override
        public WsSession terminate() {
            return this;
        }

        @Override
        public SocketContext socketContext() {
            return new SocketContext() {
                @Override
                public PeerInfo remotePeer() {
                    return null;
                }

                @Override
                public PeerInfo localPeer() {
                    return null;
                }

                @Override
                public boolean isSecure() {
                    return false;
                }

                @Override
                public String socketId() {
                    return "stub";
                }

                @Override
                public String childSocketId() {
                    return "stub";
                }
            };
        }
    }
}
