package dev.dialtone.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The HTTP/1.1 of the provider WebSockets' upgrade: the request out, the response head in. */
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
    void anInterimHeadIsReturnedAsItIsAndRepeatedHeadersAreJoined() throws Exception {
        var head = HttpWire.readFirstHead(stream("HTTP/1.1 101 Switching Protocols\r\nVia: a\r\nVIA: b\r\n\r\n"));
        assertThat(head.status()).isEqualTo(101);
        assertThat(head.header("via")).isEqualTo("a, b");
    }

    @Test
    void aHeadThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> HttpWire.readFirstHead(stream("SSH-2.0-OpenSSH\r\n\r\n"))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> HttpWire.readFirstHead(stream("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(20_000) + "\r\n")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("too long");
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
