package dev.dialtone.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.fakes.FakeCertificate;
import dev.dialtone.fakes.FakeServer;

/**
 * wss:// as the real providers serve it: TLS with a certificate the client must trust and that
 * must name the host it dialled ({@link FakeCertificate}).
 */
class ProviderSocketTlsTest {
    private static SSLContext server;
    private static SSLContext client;

    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        var certificate = FakeCertificate.forLocalhost(dir);
        server = certificate.server();
        client = certificate.client();
    }

    @Test
    void aSecureSocketCarriesMessagesBothWays() throws Exception {
        var echo = FakeServer.tls(exchange -> {
            var socket = exchange.upgrade();
            var message = socket.read();
            socket.sendText("echo " + message.text());
            while (socket.read() != null) {
                // until the client closes
            }
        }, server);
        try (echo) {
            var texts = new LinkedBlockingQueue<String>();
            var socket = ProviderSocket.connect("deepgram", URI.create("wss://localhost:" + echo.port() + "/v1/speak"),
                    Map.of(), Duration.ofSeconds(5), new ProviderSocket.Handler() {
                        public void onText(String text) {
                            texts.add(text);
                        }

                        public void onBinary(byte[] data) {
                        }

                        public void onEnded(int code, String reason, Throwable error) {
                            texts.add("ended:" + code);
                        }
                    }, client.getSocketFactory());
            socket.sendText("{\"type\":\"Speak\"}");
            assertThat(texts.poll(5, TimeUnit.SECONDS)).isEqualTo("echo {\"type\":\"Speak\"}");
            socket.close();
            assertThat(texts.poll(5, TimeUnit.SECONDS)).isEqualTo("ended:1000");
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        try (var echo = FakeServer.tls(exchange -> exchange.upgrade().read(), server)) {
            // the certificate names localhost, not 127.0.0.1
            var refused = catchThrowableOfType(ProviderException.class, () -> ProviderSocket.connect("deepgram",
                    URI.create("wss://127.0.0.1:" + echo.port() + "/"), Map.of(), Duration.ofSeconds(5),
                    new ProviderSocketTest.Seen(), client.getSocketFactory()));
            assertThat(refused).isNotNull();
            assertThat(refused.error().kind()).isEqualTo(ProviderError.Kind.NETWORK);
            assertThat(refused.error().message()).contains("SSLHandshakeException");
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (var echo = FakeServer.tls(exchange -> exchange.upgrade().read(), server)) {
            // the JDK's default trust store does not know the test's certificate
            var refused = catchThrowableOfType(ProviderException.class, () -> ProviderSocket.connect("deepgram",
                    URI.create("wss://localhost:" + echo.port() + "/"), Map.of(), Duration.ofSeconds(5),
                    new ProviderSocketTest.Seen()));
            assertThat(refused).isNotNull();
            assertThat(refused.error().message()).contains("SSLHandshakeException");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void aServerThatNeverAnswersTheTlsHandshakeTimesOutTheConnect() throws Exception {
        try (var silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (var accepted = silent.accept()) {
                    Thread.sleep(8_000); // takes the connection, never says a word
                } catch (Exception e) {
                    // the test ended
                }
            });
            long started = System.nanoTime();
            var refused = catchThrowableOfType(ProviderException.class, () -> ProviderSocket.connect("deepgram",
                    URI.create("wss://localhost:" + silent.getLocalPort() + "/"), Map.of(), Duration.ofMillis(300),
                    new ProviderSocketTest.Seen(), client.getSocketFactory()));
            assertThat(refused.error().kind()).isEqualTo(ProviderError.Kind.TIMEOUT);
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
        }
    }
}
