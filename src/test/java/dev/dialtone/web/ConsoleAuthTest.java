package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.dialtone.Main;
import dev.dialtone.Parts;
import dev.dialtone.TestSettings;

/**
 * The console's way in, over HTTP: its static files are served to anyone (they hold no data),
 * every module the page loads exists with a JavaScript type, and the data behind it needs the
 * admin token: the API only as a bearer header, the event stream also as {@code ?token=} (the
 * browser's EventSource cannot set headers). Without DIALTONE_ADMIN_TOKEN the server makes a
 * token in its data folder and trusts no address, loopback included (a reverse proxy or tunnel on
 * the same host makes every request local). The metrics can be put behind the token too.
 */
class ConsoleAuthTest {
    static final String TOKEN = "console-auth-token-42";
    static final Path WEB = Path.of("src/main/resources/web");
    static final Pattern IMPORT = Pattern.compile("(?:from\\s+|import\\(\\s*|addModule\\(\\s*|src=|href=)\"\\.?/?([\\w-]+\\.(?:js|css))\"");

    static Parts guardedParts;
    static Parts generatedParts;
    static WebServer guarded;
    static WebServer generated;
    static Path generatedData;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        guardedParts = Parts.create(TestSettings.with(Map.of("DIALTONE_ADMIN_TOKEN", TOKEN,
                                                                  "DIALTONE_METRICS_AUTH", "true")), Clock.systemUTC());
        guarded = server(guardedParts);
        generatedData = TestSettings.dataFolder().resolve("data");
        generatedParts = Parts.create(TestSettings.with(Map.of("DIALTONE_DATA", generatedData.toString())),
                                           Clock.systemUTC());
        generated = server(generatedParts);
    }

    private static WebServer server(Parts parts) {
        var builder = WebServer.builder().port(0).host("127.0.0.1");
        Main.setUp(builder, parts);
        return builder.build().start();
    }

    @AfterAll
    static void stop() {
        for (var server : new WebServer[] {guarded, generated}) {
            if (server != null) {
                server.stop();
            }
        }
        for (var parts : new Parts[] {guardedParts, generatedParts}) {
            if (parts != null) {
                parts.close();
            }
        }
    }

    private HttpResponse<String> get(WebServer server, String path, String bearer) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(5));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theConsolePageAndEveryModuleItLoadsAreServedWithoutAToken() throws Exception {
        var index = get(guarded, "/", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\">");

        // follow imports from index.html through every module, as the browser does
        var seen = new LinkedHashSet<String>();
        var queue = new ArrayDeque<>(references(index.body()));
        while (!queue.isEmpty()) {
            var file = queue.poll();
            if (!seen.add(file)) {
                continue;
            }
            var res = get(guarded, "/" + file, null);
            assertThat(res.statusCode()).as(file).isEqualTo(200);
            assertThat(res.body()).as(file + " is the file on disk").isEqualTo(Files.readString(WEB.resolve(file)));
            var type = res.headers().firstValue("Content-Type").orElse("");
            if (file.endsWith(".js")) {
                // module scripts and worklets only run when served with a JavaScript MIME type
                assertThat(type).as(file).matches("(text|application)/javascript.*");
                queue.addAll(references(res.body()));
            } else {
                assertThat(type).as(file).startsWith("text/css");
            }
        }
        assertThat(seen).contains("app.js", "style.css", "softphone.js", "phone.js", "capture-worklet.js",
                                  "playback-worklet.js", "mulaw.js", "chart.js", "events.js", "api.js");
        try (var files = Files.list(WEB)) {
            var unused = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("index.html"))
                              .filter(n -> !seen.contains(n)).toList();
            assertThat(unused).as("files nothing loads").isEmpty();
        }
    }

    private static Set<String> references(String source) {
        var out = new LinkedHashSet<String>();
        var m = IMPORT.matcher(source);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theApiRefusesAWrongTokenWithoutEchoingIt() throws Exception {
        for (var bearer : new String[] {null, "", "wrong-" + TOKEN, TOKEN.substring(1)}) {
            var res = get(guarded, "/api/flows", bearer);
            assertThat(res.statusCode()).as("bearer %s", bearer).isEqualTo(401);
            assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            assertThat(res.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
            assertThat(res.body()).contains("\"error\"").contains("token").doesNotContain(TOKEN);
        }
        var ok = get(guarded, "/api/flows", TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).startsWith("[").contains("\"name\"");
    }

    @Test
    void theApiTakesTheTokenOnlyAsABearerHeader() throws Exception {
        // a token in a URL stays in histories and proxy logs: only EventSource and WebSocket need one
        for (var path : new String[] {"/api/calls/active?token=" + TOKEN, "/api/flows?token=" + TOKEN,
                                      "/api/calls?limit=1&token=" + TOKEN}) {
            var res = get(guarded, path, null);
            assertThat(res.statusCode()).as(path).isEqualTo(401);
            assertThat(res.body()).as(path).contains("Authorization: Bearer").doesNotContain(TOKEN);
        }
        assertThat(get(guarded, "/api/calls/active", TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void theEventStreamTakesTheTokenAsAQueryParameterOrAHeader() throws Exception {
        var wrong = get(guarded, "/api/events?token=wrong", null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain(TOKEN);
        assertThat(get(guarded, "/api/events", null).statusCode()).isEqualTo(401);

        assertThat(firstEventLine(guarded, "/api/events?token=" + TOKEN, null)).as("the first line of the stream is a comment")
                .startsWith(":");
        assertThat(firstEventLine(guarded, "/api/events", TOKEN)).startsWith(":");
    }

    private String firstEventLine(WebServer server, String path, String bearer) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(5));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        var res = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            return in.readLine();
        }
    }

    @Test
    void withoutATokenSettingNoAddressIsTrustedAndTheServersOwnTokenLetsIn() throws Exception {
        // these requests come from loopback, as a same-host reverse proxy's or tunnel's do
        assertThat(get(generated, "/api/flows", null).statusCode()).isEqualTo(401);
        assertThat(get(generated, "/api/calls?limit=1", null).statusCode()).isEqualTo(401);
        assertThat(get(generated, "/api/events", null).statusCode()).isEqualTo(401);

        var file = generatedData.resolve("admin-token");
        assertThat(Files.getPosixFilePermissions(file)).as("owner-only").isEqualTo(PosixFilePermissions.fromString("rw-------"));
        var token = Files.readString(file).strip();
        assertThat(token).as("32 random bytes, base64url").matches("[A-Za-z0-9_-]{43}");
        assertThat(get(generated, "/api/flows", token).statusCode()).isEqualTo(200);
        assertThat(firstEventLine(generated, "/api/events?token=" + token, null)).startsWith(":");
    }

    @Test
    void theMetricsNeedTheTokenWhenAskedAndHealthStaysOpen() throws Exception {
        var refused = get(guarded, "/observe/metrics", null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("dialtone_");
        assertThat(get(guarded, "/observe/metrics", "wrong").statusCode()).isEqualTo(401);
        assertThat(get(guarded, "/observe/metrics?token=" + TOKEN, null).statusCode()).as("bearer only").isEqualTo(401);
        var scraped = get(guarded, "/observe/metrics", TOKEN); // as Prometheus sends its authorization credentials
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body()).contains("# HELP");
        assertThat(get(guarded, "/observe/health", null).statusCode()).isEqualTo(200);

        // off by default
        assertThat(get(generated, "/observe/metrics", null).statusCode()).isEqualTo(200);
        assertThat(get(generated, "/observe/health", null).statusCode()).isEqualTo(200);
    }
}
