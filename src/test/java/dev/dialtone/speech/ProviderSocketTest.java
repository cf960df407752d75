package dev.dialtone.speech;

import dev.dialtone.fakes.FakeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider socket reports every end, including the drops the JDK client itself loses. */
class ProviderSocketTest {
    private static final int SOCKETS = 12;

    /** The server's side: one text message, then the TCP connection is cut without a close frame. */
    private final FakeServer server = new FakeServer(exchange -> {
        var socket = exchange.upgrade();
        socket.sendText("{\"type\":\"Results\"}");
        socket.drop();
    });

    @AfterEach
    void stop() {
        server.close();
    }

    /** What one socket's handler saw, in order: "text:..." then "ended:code:error?". */
    private record Seen(BlockingQueue<String> calls) implements ProviderSocket.Handler {
        Seen() {
            this(new LinkedBlockingQueue<>());
        }

        @Override
        public void onText(String text) {
            calls.add("text:" + text);
        }

        @Override
        public void onBinary(byte[] data) {
            calls.add("binary");
        }

        @Override
        public void onEnded(int code, String reason, Throwable error) {
            calls.add("ended:" + code + ":" + (error != null));
        }
    }

    @Test
    void aDropRightAfterAMessageIsReportedAsAnAbnormalEnd() throws Exception {
        // The JDK client reads the end of stream while it has no demand for it and, on some threads,
        // swallows the resulting InternalError: several sockets make that race all but certain.
        var uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/listen");
        var handlers = new ArrayList<Seen>();
        var sockets = new ArrayList<ProviderSocket>();
        for (int i = 0; i < SOCKETS; i++) {
            var seen = new Seen();
            handlers.add(seen);
            sockets.add(ProviderSocket.connect("deepgram", uri, Map.of(), Duration.ofSeconds(2), seen));
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (var seen : handlers) {
                var ended = awaitEnd(seen, deadline);
                assertThat(ended).as("every dropped socket reports its end").isNotNull();
                assertThat(ended).as("a drop is not a clean close").isIn("ended:1006:true", "ended:1006:false");
                assertThat(seen.calls()).as("nothing after the end").isEmpty();
            }
        } finally {
            sockets.forEach(ProviderSocket::abort);
        }
    }

    @Test
    void aSocketAbortedByItsOwnerReportsNothingMore() throws Exception {
        var quiet = new FakeServer(exchange -> {
            var socket = exchange.upgrade();
            while (socket.read() != null) {
                // answers pings inside read() until the client goes
            }
        });
        try (quiet) {
            var seen = new Seen();
            var socket = ProviderSocket.connect("deepgram", URI.create("ws://127.0.0.1:" + quiet.port() + "/"), Map.of(),
                    Duration.ofSeconds(2), seen);
            // Past two probe intervals: answered pings keep an idle socket open and silent.
            assertThat(seen.calls().poll(1200, TimeUnit.MILLISECONDS)).isNull();
            socket.abort();
            assertThat(seen.calls().poll(300, TimeUnit.MILLISECONDS)).as("the owner knows it aborted").isNull();
        }
    }

    /** Skips the message (it may be lost with the connection) and returns the end, or null at the deadline. */
    private static String awaitEnd(Seen seen, long deadline) throws InterruptedException {
        while (true) {
            var call = seen.calls().poll(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
            if (call == null || call.startsWith("ended:")) {
                return call;
            }
        }
    }
}
