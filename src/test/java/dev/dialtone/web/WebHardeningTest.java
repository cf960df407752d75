package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeWorld;

/**
 * What the browser is told to enforce (CSP without inline script, no framing, no sniffing, no
 * referrer) on the console's page, its files and the API's answers; a console page with nothing
 * inline for that CSP to refuse; and an admin token that never reaches the log, however it is sent.
 */
class WebHardeningTest {
    static final String TOKEN = "hardening-token-5b1e9c";
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello."
            stt: { provider: deepgram }
            llm: { provider: openai }
            tts: { provider: deepgram }
            """;

    static FakeWorld world;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", TOKEN));
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(world.url() + path)).timeout(Duration.ofSeconds(5));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pagesFilesAndApiAnswersCarryTheBrowserHardeningHeaders() throws Exception {
        for (var path : List.of("/", "/?token=x", "/app.js", "/playback-worklet.js", "/style.css", "/no-such-file.js",
                                "/api/flows", "/api/calls/active")) {
            for (var bearer : new String[] {null, TOKEN}) {
                var headers = get(path, bearer).headers();
                var csp = headers.firstValue("Content-Security-Policy").orElse("");
                assertThat(csp).as(path).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'",
                                                  "frame-ancestors 'none'", "base-uri 'none'");
                assertThat(csp).as(path + ": nothing inline, no eval").doesNotContain("unsafe-inline", "unsafe-eval", "*");
                assertThat(headers.firstValue("X-Frame-Options")).as(path).contains("DENY");
                assertThat(headers.firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
                assertThat(headers.firstValue("Referrer-Policy")).as(path).contains("no-referrer");
            }
        }
        assertThat(get("/api/calls/active", TOKEN).headers().firstValue("Cache-Control")).as("call data is not cached")
                .contains("no-store");
    }

    @Test
    void theConsolePageHasNothingInlineForItsPolicyToRefuse() throws Exception {
        var index = Files.readString(Path.of("src/main/resources/web/index.html"));
        var scripts = Pattern.compile("<script\\b([^>]*)>(.*?)</script>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE)
                             .matcher(index);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).as("a script comes from a file").contains("src=");
            assertThat(scripts.group(2)).as("and has no inline body").isBlank();
        }
        assertThat(count).isPositive();
        assertThat(index).as("no inline event handlers").doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
        assertThat(index).as("no inline styles").doesNotContainPattern("(?i)\\sstyle\\s*=|<style");
        assertThat(index).as("no javascript: URLs").doesNotContainIgnoringCase("javascript:");
    }

    @Test
    void theTokenNeverReachesTheLog() throws Exception {
        var wrong = "wrong-token-for-the-log-3f9d";
        var records = new CopyOnWriteArrayList<LogRecord>();
        var handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        var root = Logger.getLogger("");
        root.addHandler(handler);
        try {
            // the token everywhere a client may put it, rightly or wrongly
            get("/?token=" + TOKEN, null);
            get("/api/flows?token=" + TOKEN, null);
            get("/api/calls?token=" + TOKEN + "&limit=zz", TOKEN);
            get("/api/calls/CA" + TOKEN, TOKEN);
            get("/api/flows", wrong);
            get("/api/nowhere?token=" + TOKEN, TOKEN);
            get("/observe/metrics?token=" + TOKEN, null);
            get("/api/events?token=" + wrong, null);
            raw("GET /api/events?token=" + TOKEN + "&bad=%zz HTTP/1.1"); // not even a valid URI
            raw("GET /api/flows?token=" + TOKEN + " HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nX-Bad: \u0001");
            try (InputStream events = http.send(HttpRequest.newBuilder(URI.create(world.url() + "/api/events?token=" + TOKEN))
                                                         .build(), HttpResponse.BodyHandlers.ofInputStream()).body()) {
                assertThat(events.read()).isEqualTo(':');
            }
            assertThatThrownBy(() -> world.twilio.softphone(wrong, "test")).isInstanceOf(IOException.class);
            try (var call = world.twilio.softphone(TOKEN, "test")) {
                assertThat(call.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(5))).isTrue();
                call.stop();
            }
            Await.until(() -> records.stream().anyMatch(r -> text(r).contains("stream closed")), Duration.ofSeconds(5));
        } finally {
            root.removeHandler(handler);
        }
        assertThat(records).as("what was logged meanwhile")
                           .anySatisfy(r -> assertThat(text(r)).contains("Refused Media Stream upgrade on /softphone"));
        for (var record : records) {
            assertThat(text(record)).doesNotContain(TOKEN).doesNotContain(wrong);
        }
    }

    /** Sends a request as written (which an HTTP client would refuse to send) and reads the answer. */
    private String raw(String requestHead) throws IOException {
        try (var socket = new Socket("localhost", world.url().getPort())) {
            socket.setSoTimeout(5000);
            var out = socket.getOutputStream();
            out.write((requestHead + "\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** A record as a log file would hold it: the formatted message and any stack trace. */
    private static String text(LogRecord record) {
        var out = new StringWriter();
        out.append(record.getLoggerName()).append(": ").append(new SimpleFormatter().formatMessage(record));
        if (record.getThrown() != null) {
            record.getThrown().printStackTrace(new PrintWriter(out));
        }
        return out.toString();
    }
}
