package dev.dialtone.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** HTTP/1.1 message framing as the providers' responses exercise it. */
class HttpWireTest {

    @Test
    void aRequestIsOneMessageWithHostAndLength() {
        var uri = URI.create("https://api.openai.com/v1/chat/completions?x=1");
        var bytes = HttpWire.request("POST", uri, Origin.of(uri), Map.of("Accept", "text/event-stream"),
                "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).isEqualTo("POST /v1/chat/completions?x=1 HTTP/1.1\r\n"
                + "Host: api.openai.com\r\nAccept: text/event-stream\r\nContent-Length: 2\r\n\r\n{}");
    }

    @Test
    void interimResponsesAreSkippedAndRepeatedHeadersJoined() throws Exception {
        var in = stream("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nVia: a\r\nVIA: b\r\nContent-Length: 0\r\n\r\n");
        var head = HttpWire.readHead(in);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("via")).isEqualTo("a, b");
    }

    @Test
    void aNoContentAnswerHasNoBodyEvenWithoutALength() throws Exception {
        var in = stream("HTTP/1.1 204 No Content\r\nContent-Type: audio/basic\r\n\r\nHTTP/1.1 200 OK\r\n");
        var body = HttpWire.body(HttpWire.readHead(in), in);
        assertThat(body.read()).isEqualTo(-1);
        assertThat(body.complete()).as("the connection is at the next response").isTrue();
    }

    @Test
    void aBodyWithoutLengthOrChunksEndsOnlyWithTheConnection() throws Exception {
        var in = stream("HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n");
        var body = HttpWire.body(HttpWire.readHead(in), in);
        assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data: x\n\n");
        assertThat(body.complete()).as("not reusable").isFalse();
    }

    @Test
    void aHeadThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> HttpWire.readHead(stream("SSH-2.0-OpenSSH\r\n\r\n"))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> HttpWire.readHead(stream("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(20_000) + "\r\n")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("too long");
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
