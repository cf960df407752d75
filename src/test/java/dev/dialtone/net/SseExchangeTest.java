package dev.dialtone.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.fakes.FakeCertificate;
import dev.dialtone.fakes.FakeServer;
import dev.dialtone.fakes.FakeServerExchange;
import dev.dialtone.fakes.FakeServerFault;

/**
 * The LLM clients' transport as the providers' servers stress it: a stream cut into chunks
 * anywhere, a body sized by Content-Length, kept-alive connections reused, a pooled connection
 * the server closed while idle, and TLS.
 */
class SseExchangeTest {
    private static final String STREAM = "event: a\ndata: h\u00e9llo\n\n: a comment\ndata: one\ndata: two\n\n";

    private final EventRecorder<String> seen = new EventRecorder<>();
    private final EventRecorder<ProviderError> failures = new EventRecorder<>();
    private final BlockingQueue<FakeServerExchange> received = new LinkedBlockingQueue<>();

    @Test
    void eventsSurviveChunksCutAnywhereEvenInsideACharacter() throws Exception {
        try (var fake = FakeServer.keepingAlive(exchange -> {
            received.add(exchange);
            exchange.writeRaw(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"), false);
            var body = STREAM.getBytes(StandardCharsets.UTF_8);
            int cut = STREAM.indexOf('\u00e9') + 1; // between the two bytes of the é
            exchange.writeRaw(chunk(Arrays.copyOfRange(body, 0, 3), ""), false);
            exchange.writeRaw(chunk(Arrays.copyOfRange(body, 3, cut), ";name=value"), false);
            exchange.writeRaw(chunk(Arrays.copyOfRange(body, cut, body.length), ""), false);
            exchange.writeRaw(ascii("0\r\nX-Trailer: ignored\r\n\r\n"), true);
        })) {
            var connections = new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2));
            post(connections, fake.httpBase());
            assertWholeStream();
        }
    }

    @Test
    void aStreamReadToItsEndLeavesTheConnectionForTheNextRequest() throws Exception {
        try (var fake = FakeServer.keepingAlive(this::sizedStream)) {
            var exchanges = postTwice(fake);
            assertThat(exchanges[1].remotePort()).as("the same connection").isEqualTo(exchanges[0].remotePort());
        }
    }

    @Test
    void aLateCancelOfAFinishedStreamLeavesItsConnectionToTheNextRequest() throws Exception {
        var requests = new java.util.concurrent.atomic.AtomicInteger();
        try (var fake = FakeServer.keepingAlive(exchange -> {
            received.add(exchange);
            if (requests.incrementAndGet() > 1) {
                Thread.sleep(300); // the fake's latency: the next request is still waiting for its answer...
            }
            answerSized(exchange);
        })) {
            var connections = new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2));
            var finished = post(connections, fake.httpBase());
            assertWholeStream();
            post(connections, fake.httpBase());
            var first = received.poll(2, TimeUnit.SECONDS);
            var second = received.poll(2, TimeUnit.SECONDS);
            assertThat(second.remotePort()).as("the same connection").isEqualTo(first.remotePort());
            finished.cancel(); // ...when a barge-in cancels the reply whose stream had ended
            assertWholeStream();
            failures.assertQuiet(100);
            assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("the request was not sent again").isNull();
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedAndTheRequestStillGoes() throws Exception {
        try (var fake = FakeServer.keepingAlive(exchange -> {
            sizedStream(exchange);
            exchange.drop(); // the server's idle limit, at its most impatient
        })) {
            var connections = new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2));
            post(connections, fake.httpBase());
            assertWholeStream(); // and the connection went back to the pool
            received.poll(2, TimeUnit.SECONDS).awaitClientClose(2000);
            post(connections, fake.httpBase());
            assertThat(seen.next(2000)).isEqualTo("a|h\u00e9llo");
            assertThat(received.poll(2, TimeUnit.SECONDS)).as("the request, sent again on a new connection").isNotNull();
            failures.assertQuiet(100);
        }
    }

    @Test
    void aFreshConnectionClosedBeforeAnyResponseIsANetworkErrorAndTheRequestIsNotSentTwice() throws Exception {
        try (var fake = FakeServer.keepingAlive(exchange -> {
            received.add(exchange);
            exchange.fault(FakeServerFault.REFUSE);
        })) {
            var connections = new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2));
            post(connections, fake.httpBase());
            var failed = failures.next(2000);
            assertThat(failed.kind()).isEqualTo(ProviderError.Kind.NETWORK);
            assertThat(received.poll(2, TimeUnit.SECONDS)).isNotNull();
            assertThat(received.poll(200, TimeUnit.MILLISECONDS)).as("no second attempt").isNull();
        }
    }

    @Test
    void aResponseThatSaysConnectionCloseIsNotReused() throws Exception {
        try (var fake = FakeServer.keepingAlive(exchange -> {
            received.add(exchange);
            var body = STREAM.getBytes(StandardCharsets.UTF_8);
            exchange.writeRaw(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n"), false);
            exchange.writeRaw(body, true);
        })) {
            var exchanges = postTwice(fake);
            assertThat(exchanges[0].awaitClientClose(2000)).as("the client closed it").isTrue();
            assertThat(exchanges[1].remotePort()).isNotEqualTo(exchanges[0].remotePort());
        }
    }

    @Test
    void aMalformedResponseHeadIsAProtocolError() throws Exception {
        try (var fake = new FakeServer(exchange -> exchange.writeRaw(ascii("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"), true))) {
            post(new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2)), fake.httpBase());
            var failed = failures.next(2000);
            assertThat(failed.kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
        }
    }

    @Test
    void linesMayEndWithCrLfOrALoneCarriageReturnEvenWhenTheEndingIsCutAcrossChunks() throws Exception {
        try (var fake = new FakeServer(exchange -> {
            exchange.startChunks(200, "text/event-stream");
            exchange.writeChunk("event: a\r");
            exchange.writeChunk("\ndata: h\u00e9llo\r\n\r\ndata: one\rdata: two\r\r");
            exchange.endChunks();
        })) {
            post(new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2)), fake.httpBase());
            assertWholeStream();
        }
    }

    @Test
    void anEndlessLineIsAProtocolErrorNotAnEndlessBuffer() throws Exception {
        var line = "data: " + "x".repeat(64 * 1024);
        try (var fake = new FakeServer(exchange -> {
            exchange.startChunks(200, "text/event-stream");
            for (int i = 0; i < 20; i++) { // 1.25 MB without a line break
                exchange.writeChunk(line);
            }
            exchange.writeChunk("\n\n");
            exchange.endChunks();
        })) {
            post(new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2)), fake.httpBase());
            var failed = failures.next(5000);
            assertThat(failed.kind()).isEqualTo(ProviderError.Kind.PROTOCOL);
            assertThat(failed.message()).contains("an event line is longer than 1048576 bytes");
            seen.assertQuiet(200);
        }
    }

    @Test
    void anEventOfManyLinesIsBoundedToo() throws Exception {
        var line = "data: " + "x".repeat(512 * 1024) + "\n";
        try (var fake = new FakeServer(exchange -> {
            exchange.startChunks(200, "text/event-stream");
            for (int i = 0; i < 10; i++) { // 5 MB in one event
                exchange.writeChunk(line);
            }
            exchange.writeChunk("\n");
            exchange.endChunks();
        })) {
            post(new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2)), fake.httpBase());
            assertThat(failures.next(5000).message()).contains("an event is longer than 4194304 bytes");
            seen.assertQuiet(200);
        }
    }

    @Test
    void aHeaderThatWouldSmuggleAnotherLineIsRefusedBeforeAnythingIsSent() {
        var connections = new ProviderConnections(Origin.of(URI.create("http://127.0.0.1:9")), Duration.ofSeconds(1));
        var post = new ProviderPost.Request(URI.create("http://127.0.0.1:9/v1"), Map.of("Authorization", "Bearer x\r\nX-Evil: 1"), "{}");
        assertThatThrownBy(() -> SseExchange.start(connections, post, "openai", Duration.ofSeconds(1), handler()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Bearer");
    }

    @Test
    void anHttpsProviderIsReachedWhenItsCertificateNamesTheHost(@TempDir Path dir) throws Exception {
        var certificate = FakeCertificate.forLocalhost(dir);
        try (var fake = FakeServer.tls(exchange -> {
            exchange.startChunks(200, "text/event-stream");
            exchange.writeChunk(STREAM);
            exchange.endChunks();
        }, certificate.server())) {
            var base = URI.create("https://localhost:" + fake.port());
            post(new ProviderConnections(Origin.of(base), Duration.ofSeconds(5), certificate.client().getSocketFactory(), certificate.trust()), base);
            assertThat(seen.next(5000)).isEqualTo("a|h\u00e9llo");

            var byAddress = URI.create("https://127.0.0.1:" + fake.port()); // the certificate names localhost only
            post(new ProviderConnections(Origin.of(byAddress), Duration.ofSeconds(5), certificate.client().getSocketFactory(), certificate.trust()), byAddress);
            var failed = failures.next(5000);
            assertThat(failed.kind()).isEqualTo(ProviderError.Kind.NETWORK);
            assertThat(failed.message()).contains("SSLPeerUnverifiedException");
        }
    }

    /** Two requests one after the other on one pool, each answered; the fake's exchanges, in order. */
    private FakeServerExchange[] postTwice(FakeServer fake) throws InterruptedException {
        var connections = new ProviderConnections(Origin.of(fake.httpBase()), Duration.ofSeconds(2));
        post(connections, fake.httpBase());
        assertWholeStream();
        post(connections, fake.httpBase());
        assertThat(seen.next(2000)).isEqualTo("a|h\u00e9llo");
        return new FakeServerExchange[] {received.poll(2, TimeUnit.SECONDS), received.poll(2, TimeUnit.SECONDS)};
    }

    private void assertWholeStream() throws InterruptedException {
        assertThat(seen.next(2000)).isEqualTo("a|h\u00e9llo");
        assertThat(seen.next(2000)).isEqualTo("|one\ntwo");
        assertThat(seen.next(2000)).isEqualTo("end");
    }

    private void sizedStream(FakeServerExchange exchange) throws Exception {
        received.add(exchange);
        answerSized(exchange);
    }

    private static void answerSized(FakeServerExchange exchange) throws Exception {
        var body = STREAM.getBytes(StandardCharsets.UTF_8);
        exchange.writeRaw(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n"), false);
        exchange.writeRaw(body, true);
    }

    private SseExchange post(ProviderConnections connections, URI base) {
        var post = new ProviderPost.Request(URI.create(base + "/v1/chat/completions"), Map.of("Accept", "text/event-stream"), "{}");
        return SseExchange.start(connections, post, "openai", Duration.ofSeconds(5), handler());
    }

    private SseExchange.Handler handler() {
        return new SseExchange.Handler() {
            @Override
            public void onEvent(String event, String data) {
                seen.accept(event + "|" + data);
            }

            @Override
            public void onEnd() {
                seen.accept("end");
            }

            @Override
            public void onFailure(ProviderError error) {
                failures.accept(error);
            }
        };
    }

    private static byte[] chunk(byte[] data, String extension) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(ascii(Integer.toHexString(data.length) + extension + "\r\n"));
        out.writeBytes(data);
        out.writeBytes(ascii("\r\n"));
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
