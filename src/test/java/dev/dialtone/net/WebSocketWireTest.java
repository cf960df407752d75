package dev.dialtone.net;

import dev.dialtone.fakes.FakeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The client's half of RFC 6455 on the wire: masking keys and the checks on a 101 answer. */
class WebSocketWireTest {

    /** A strong source that keeps a copy of every byte it hands out. */
    private static final class RecordedSource extends SecureRandom {
        final ByteArrayOutputStream drawn = new ByteArrayOutputStream();

        @Override
        public void nextBytes(byte[] bytes) {
            super.nextBytes(bytes);
            drawn.writeBytes(bytes);
        }
    }

    @Test
    void eachFrameIsMaskedWithTheNextKeyFromTheStrongSource() throws Exception {
        var source = new RecordedSource();
        var masks = new WebSocketWire.Masks(source);
        var wire = new ByteArrayOutputStream();
        var payload = "{\"type\":\"KeepAlive\"}".getBytes(StandardCharsets.UTF_8);
        int frames = 100;
        for (int i = 0; i < frames; i++) {
            WebSocketWire.write(wire, WebSocketWire.TEXT, payload, masks);
        }

        var bytes = wire.toByteArray();
        int frameLength = 2 + 4 + payload.length;
        assertThat(bytes).hasSize(frames * frameLength);
        var keys = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            int at = i * frameLength;
            assertThat(bytes[at + 1] & 0x80).as("the mask bit").isEqualTo(0x80);
            var key = Arrays.copyOfRange(bytes, at + 2, at + 6);
            keys.writeBytes(key);
            var unmasked = new byte[payload.length];
            for (int j = 0; j < payload.length; j++) {
                unmasked[j] = (byte) (bytes[at + 6 + j] ^ key[j & 3]);
            }
            assertThat(unmasked).isEqualTo(payload);
        }
        var drawn = source.drawn.toByteArray();
        assertThat(drawn).as("drawn 64 keys at a time").hasSize(512);
        assertThat(keys.toByteArray()).as("each key the source's next four bytes, none reused")
                .isEqualTo(Arrays.copyOf(drawn, frames * 4));
    }

    /** A server that answers the upgrade with a 101 of the test's making: the status line, then these lines. */
    private static FakeServer answering(String... lines) {
        return new FakeServer(exchange -> {
            var accept = accept(exchange.header("sec-websocket-key").orElseThrow());
            var head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
            for (var line : lines) {
                head.append(line.replace("{accept}", accept)).append("\r\n");
            }
            exchange.writeRaw(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1), false);
            exchange.watchForHangUp();
            exchange.awaitClientClose(10_000); // the client refuses (closes) or the test aborts
        });
    }

    /** RFC 6455 section 4.2.2, computed here rather than by the code under test. */
    private static String accept(String key) throws Exception {
        var digest = MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(digest);
    }

    private static ProviderSocket connect(FakeServer server) throws ProviderException {
        return ProviderSocket.connect("deepgram", URI.create("ws://127.0.0.1:" + server.port() + "/v1/listen"), Map.of(),
                Duration.ofSeconds(5), new ProviderSocketTest.Seen());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Upgrade: websocket|Sec-WebSocket-Accept: {accept}", // no Connection
        "Upgrade: websocket|Connection: keep-alive|Sec-WebSocket-Accept: {accept}",
        "Upgrade: websocket|Connection: upgrade-insecure|Sec-WebSocket-Accept: {accept}",
        "Connection: Upgrade|Sec-WebSocket-Accept: {accept}", // no Upgrade
        "Upgrade: h2c|Connection: Upgrade|Sec-WebSocket-Accept: {accept}",
        "Upgrade: websocket|Connection: Upgrade", // no accept
        "Upgrade: websocket|Connection: Upgrade|Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" // another key's
    })
    void a101ThatIsNotAWebSocketAnswerIsRefused(String lines) throws Exception {
        try (var server = answering(lines.split("\\|"))) {
            var refused = catchThrowableOfType(ProviderException.class, () -> connect(server));
            assertThat(refused).as("connected despite: " + lines).isNotNull();
            assertThat(refused.error().kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Upgrade: websocket|Connection: Upgrade|Sec-WebSocket-Accept: {accept}",
        "upgrade: WebSocket|connection: keep-alive, Upgrade|sec-websocket-accept: {accept}", // names and tokens in any case
        "Upgrade: websocket|Connection: keep-alive|Connection: upgrade|Sec-WebSocket-Accept: {accept}" // the field repeated
    })
    void a101WithTheRightFieldsInAnyCaseIsAccepted(String lines) throws Exception {
        try (var server = answering(lines.split("\\|"))) {
            connect(server).abort();
        }
    }
}
