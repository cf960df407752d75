package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.api.Test;

class PublicAddressTest {

    @Test
    void publicUrlWinsOverWhatTheServerSees() {
        var headers = WritableHeaders.create().set(HeaderNames.HOST, "10.0.0.5:8080");
        var address = new PublicAddress(Optional.of(URI.create("https://agent.example.com")));
        assertThat(address.httpBase(headers, false)).isEqualTo("https://agent.example.com");
        assertThat(address.wss(headers, "/twilio/stream")).isEqualTo("wss://agent.example.com/twilio/stream");
    }

    @Test
    void aPublicUrlWithAPathPrefixKeepsIt() {
        var address = new PublicAddress(Optional.of(URI.create("https://example.com:8443/voice")));
        assertThat(address.wss(WritableHeaders.create(), "/twilio/stream"))
                .isEqualTo("wss://example.com:8443/voice/twilio/stream");
    }

    @Test
    void withoutPublicUrlTheForwardedHostAndProtoAreUsed() {
        var headers = WritableHeaders.create().set(HeaderNames.HOST, "10.0.0.5:8080")
                                     .set(HeaderNames.create("X-Forwarded-Host"), "abc.ngrok.app, proxy2")
                                     .set(HeaderNames.create("X-Forwarded-Proto"), "https");
        var address = new PublicAddress(Optional.empty());
        assertThat(address.httpBase(headers, false)).isEqualTo("https://abc.ngrok.app");
        assertThat(address.wss(headers, "/twilio/stream")).isEqualTo("wss://abc.ngrok.app/twilio/stream");
        var direct = WritableHeaders.create().set(HeaderNames.HOST, "localhost:8080");
        assertThat(address.httpBase(direct, false)).isEqualTo("http://localhost:8080");
    }
}
