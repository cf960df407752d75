package dev.dialtone.net;

import dev.dialtone.net.JettyPeer.Mode;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.dialtone.net.JettyPeer.Connection.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProviderSocket} against an independent server, Jetty 12's core WebSocket server: what
 * Jetty sends, our client must read, and what our client sends, Jetty must accept (it fails the
 * connection on any frame a client may not send). Each end waits for events, never for time.
 */
class ProviderSocketPeerTest {
    private static final long WAIT = 10_000;
    /** One byte over what ProviderSocket takes from a provider. */
    private static final int OVER_THE_LIMIT = ProviderSocket.MAX_MESSAGE + 1;

    /** What the client's handler saw. */
    sealed interface Event {
        record Text(String text) implements Event {
        }

        record Binary(byte[] data) implements Event {
        }

        record Ended(int code, String reason, Throwable error) implements Event {
        }
    }

    /** A handler that records each call as an {@link Event}. */
    record Recording(EventRecorder<Event> events) implements ProviderSocket.Handler {
        Recording() {
            this(new EventRecorder<>());
        }

        @Override
        public void onText(String text) {
            events.accept(new Event.Text(text));
        }

        @Override
        public void onBinary(byte[] data) {
            events.accept(new Event.Binary(data));
        }

        @Override
        public void onEnded(int code, String reason, Throwable error) {
            events.accept(new Event.Ended(code, reason, error));
        }
    }

    private static ProviderSocket connect(JettyPeer peer, Recording seen) throws ProviderException {
        return ProviderSocket.connect("deepgram", peer.uri(), Map.of("Authorization", "Token test"), Duration.ofSeconds(5), seen);
    }

    @Test
    void textAndBinaryMessagesMakeTheRoundTripInMaskedFramesTheServerAccepts() throws Exception {
        try (var peer = new JettyPeer(Mode.ECHO)) {
            var seen = new Recording();
            var socket = connect(peer, seen);
            var server = peer.accepted();
            var large = new byte[70_000]; // a 64-bit length
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) (i * 31);
            }
            socket.sendText("{\"greeting\":\"Grüße 👋\"}");
            socket.sendBinary(new byte[] {0, 1, 2, (byte) 0xFF});
            socket.sendBinary(large);
            socket.sendText("");

            assertThat(seen.events().next(WAIT)).isEqualTo(new Event.Text("{\"greeting\":\"Grüße 👋\"}"));
            assertThat(((Event.Binary) seen.events().next(WAIT)).data()).containsExactly(0, 1, 2, 0xFF);
            assertThat(((Event.Binary) seen.events().next(WAIT)).data()).isEqualTo(large);
            assertThat(seen.events().next(WAIT)).isEqualTo(new Event.Text(""));

            for (int i = 0; i < 4; i++) {
                var frame = server.next();
                assertThat(frame.fin()).as("a whole message in one frame").isTrue();
                assertThat(frame.mask()).as("every client frame is masked (Jetty zeroes the key once it has unmasked)").isNotNull();
            }
            socket.close();
            assertThat(seen.events().next(WAIT)).isEqualTo(new Event.Ended(1000, "", null));
        }
    }

    @Test
    void fragmentsAreJoinedEvenWhenOneEndsInsideACharacterAndAPingComesBetween() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            var text = "{\"word\":\"Résumé\"}".getBytes(StandardCharsets.UTF_8);
            int inside = indexOf(text, (byte) 0xC3) + 1;
            assertThat(text[inside]).as("the split falls between the two bytes of é").isEqualTo((byte) 0xA9);

            server.send(frame(OpCode.TEXT, false, Arrays.copyOfRange(text, 0, inside)));
            server.send(frame(OpCode.PING, true, "between".getBytes(StandardCharsets.UTF_8)));
            server.send(frame(OpCode.CONTINUATION, false, Arrays.copyOfRange(text, inside, inside + 3)));
            server.send(frame(OpCode.CONTINUATION, true, Arrays.copyOfRange(text, inside + 3, text.length)));
            server.send(frame(OpCode.BINARY, false, new byte[] {1, 2}));
            server.send(frame(OpCode.CONTINUATION, false, new byte[70_000]));
            server.send(frame(OpCode.CONTINUATION, true, new byte[] {3}));

            assertThat(seen.events().next(WAIT)).isEqualTo(new Event.Text("{\"word\":\"Résumé\"}"));
            var binary = ((Event.Binary) seen.events().next(WAIT)).data();
            assertThat(binary).hasSize(70_003).startsWith(1, 2, 0).endsWith(0, 3);
            assertThat(new String(server.next(OpCode.PONG).payload(), StandardCharsets.UTF_8)).isEqualTo("between");
        }
    }

    @Test
    void aPingFromTheServerIsAnsweredWithAPongCarryingItsPayload() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            server.send(frame(OpCode.PING, true, "keep-alive 7".getBytes(StandardCharsets.UTF_8)));
            server.send(frame(OpCode.PING, true, new byte[0]));
            assertThat(new String(server.next(OpCode.PONG).payload(), StandardCharsets.UTF_8)).isEqualTo("keep-alive 7");
            assertThat(server.next(OpCode.PONG).payload()).isEmpty();
        }
    }

    @Test
    void aCloseFromTheClientIsEchoedByTheServerAndTheEndIsReportedOnce() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            var socket = connect(peer, seen);
            var server = peer.accepted();
            socket.close();
            assertThat(server.next(OpCode.CLOSE).closeCode()).isEqualTo(1000);
            assertThat(seen.events().next(WAIT)).isEqualTo(new Event.Ended(1000, "", null));
            assertThat(server.closed(10).getCode()).as("Jetty saw the handshake complete").isEqualTo(1000);

            socket.close(); // after the end: nothing to send, nothing to report
            assertThat(catchSend(socket).error().message()).isEqualTo("socket already closed");
            seen.events().assertQuiet(200);
            assertThat(seen.events().overlappingCalls()).isZero();
        }
    }

    @Test
    void aCloseFromTheServerIsEchoedWithItsCodeAndReportedWithItsCodeAndReason() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            server.session().close(4001, "going away now", Callback.NOOP);
            assertThat(seen.events().next(WAIT)).isEqualTo(new Event.Ended(4001, "going away now", null));
            assertThat(server.next(OpCode.CLOSE).closeCode()).as("the client's echo").isEqualTo(4001);
            assertThat(server.closed(10).isAbnormal()).as("Jetty saw the handshake complete").isFalse();
        }
    }

    @Test
    @Timeout(90)
    void aServerThatNeverAnswersTheCloseIsCutOffByTheCloseTimer() throws Exception {
        try (var peer = new JettyPeer(Mode.NEVER_ANSWER_CLOSE)) {
            var seen = new Recording();
            var socket = connect(peer, seen);
            var server = peer.accepted();
            socket.close();
            assertThat(server.next(OpCode.CLOSE).closeCode()).isEqualTo(1000);
            var ended = seen.events().next(Event.Ended.class, 60_000); // the 5 s timer; generous for a busy machine
            assertThat(ended.code()).isEqualTo(1006);
            assertThat(ended.error()).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("did not answer the close");
            seen.events().assertQuiet(200);
        }
    }

    @Test
    void aMessageOverTheLimitIsRefusedWith1009() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            server.session().setAutoFragment(true); // Jetty sends it in fragments of its 1 MiB frame size
            server.sendLater(frame(OpCode.BINARY, true, new byte[OVER_THE_LIMIT]));
            assertRefused(seen, server, 1009);
        }
    }

    @Test
    void aSingleFrameOverTheLimitIsRefusedWith1009() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            server.session().setMaxFrameSize(0); // any size, in one frame
            server.sendLater(frame(OpCode.TEXT, true, new byte[OVER_THE_LIMIT]));
            assertRefused(seen, server, 1009);
        }
    }

    /** Payloads that are not UTF-8, each sent as one text message in the fragments listed. */
    static List<byte[][]> notUtf8() {
        return List.of(
                new byte[][] {{'{', (byte) 0xC3, '(', '}'}}, // a lead byte without its continuation
                new byte[][] {{(byte) 0xED, (byte) 0xA0, (byte) 0x80}}, // a surrogate, encoded
                new byte[][] {{(byte) 0xC0, (byte) 0xAF}}, // an overlong '/'
                new byte[][] {{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}}, // beyond U+10FFFF
                new byte[][] {{'R', (byte) 0xC3}, {}}); // the message ends inside a character
    }

    @ParameterizedTest
    @MethodSource("notUtf8")
    void textThatIsNotUtf8IsRefusedWith1007(byte[][] fragments) throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            for (int i = 0; i < fragments.length; i++) {
                server.send(frame(i == 0 ? OpCode.TEXT : OpCode.CONTINUATION, i == fragments.length - 1, fragments[i]));
            }
            assertRefused(seen, server, 1007);
        }
    }

    @Test
    void aMaskedFrameFromTheServerIsRefusedWith1002() throws Exception {
        try (var peer = new JettyPeer(Mode.RECORD)) {
            var seen = new Recording();
            connect(peer, seen);
            var server = peer.accepted();
            server.send(frame(OpCode.TEXT, true, "{}".getBytes(StandardCharsets.UTF_8)).setMask(new byte[] {1, 2, 3, 4}));
            assertRefused(seen, server, 1002);
        }
    }

    /**
     * The client failed the connection: its handler heard of it (with the code and a protocol
     * error, and no message before), the server received a close frame with that code, and the
     * connection then ended.
     */
    private static void assertRefused(Recording seen, JettyPeer.Connection server, int code) throws Exception {
        var ended = seen.events().next(WAIT);
        assertThat(ended).isInstanceOf(Event.Ended.class);
        assertThat(((Event.Ended) ended).code()).isEqualTo(code);
        assertThat(((Event.Ended) ended).error()).isInstanceOf(ProtocolException.class);
        assertThat(ProviderSocket.endedError("deepgram", code, "", ((Event.Ended) ended).error()).kind())
                .isEqualTo(ProviderError.Kind.PROTOCOL);
        assertThat(server.next(OpCode.CLOSE).closeCode()).as("the client's close frame").isEqualTo(code);
        server.closed(30);
    }

    private static ProviderException catchSend(ProviderSocket socket) {
        try {
            socket.sendText("{}");
        } catch (ProviderException e) {
            return e;
        }
        throw new AssertionError("a send after the end went through");
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
