package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** call.http.fetch reaches allow-listed hosts with the plugin's method, headers and body, and nothing else. */
class FetchTest {
    @TempDir
    Path dir;
    HttpServer server;
    final LinkedBlockingQueue<String> requests = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);
    PluginRuntime runtime;
    int port;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/menu", exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " key="
                    + exchange.getRequestHeaders().getFirst("X-Api-Key") + " body=" + body);
            var answer = "{\"margherita\":12.5}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
                exchange.sendResponseHeaders(204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://example.com/");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        port = server.getAddress().getPort();
        runtime = new PluginRuntime(new PluginSettings(List.of("127.0.0.1:" + port, "*.menus.test"),
                Map.of("menu_lookup", Map.of("api_key", "k-42")), PluginLimits.defaults()));
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        runtime.close();
    }

    PluginTool tool(String name, String runBody) throws Exception {
        var file = dir.resolve(name + ".js");
        Files.writeString(file, """
                export default {
                  description: "d",
                  parameters: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
                  timeoutMs: 500,
                  async run(args, call) {
                    %s
                  }
                };
                """.formatted(runBody));
        return runtime.load(file);
    }

    ToolOutcome invoke(PluginTool tool, String url) {
        var ctx = new ToolCallContext("CA1", "+15551230000", "+15550001111", "luigis", Optional.empty(),
                new CallState(), new RecordedActions());
        return tool.invoke("{\"url\":\"" + url + "\"}", ctx);
    }

    @Test
    void allowListedHostIsReachedWithMethodHeadersAndBody() throws Exception {
        var tool = tool("menu_lookup", """
                const r = await call.http.fetch(args.url, { method: "POST", headers: { "X-Api-Key": call.config.api_key },
                                                            body: JSON.stringify({ item: "margherita" }) });
                const menu = await r.json();
                return { status: r.status, ok: r.ok, type: r.headers["content-type"], price: menu.margherita };
                """);
        var result = invoke(tool, "http://127.0.0.1:" + port + "/menu?x=1").forModel();
        assertThat(result).isEqualTo("{\"status\":200,\"ok\":true,\"type\":\"application/json\",\"price\":12.5}");
        assertThat(requests.poll(5, TimeUnit.SECONDS)).isEqualTo("POST /menu?x=1 key=k-42 body={\"item\":\"margherita\"}");
    }

    @Test
    void otherHostsArePortsAreRefused() throws Exception {
        var tool = tool("fetch_any", "const r = await call.http.fetch(args.url); return r.status;");
        assertThat(((ToolOutcome.Failure) invoke(tool, "http://example.com/")).message())
                .isEqualTo("tool fetch_any failed: Error: http.fetch refused: host example.com is not in plugins.allowed-hosts (fetch_any.js:6)");
        assertThat(invoke(tool, "http://localhost:" + port + "/menu")).isInstanceOf(ToolOutcome.Failure.class);
        assertThat(invoke(tool, "http://127.0.0.1:1/menu").forModel()).contains("not in plugins.allowed-hosts");
        assertThat(invoke(tool, "file:///etc/passwd").forModel()).contains("only http and https");
        assertThat(invoke(tool, "http://menus.test.evil.com/").forModel()).contains("not in plugins.allowed-hosts");
        assertThat(requests).isEmpty();
    }

    @Test
    void wildcardEntriesMatchSubdomainsOnly() {
        var fetch = new HostFetch(List.of("*.menus.test", "api.example.com"), 1000);
        assertThat(fetch.allowed(java.net.URI.create("https://eu.menus.test/x"))).isTrue();
        assertThat(fetch.allowed(java.net.URI.create("https://menus.test/x"))).isFalse();
        assertThat(fetch.allowed(java.net.URI.create("https://evilmenus.test/x"))).isFalse();
        assertThat(fetch.allowed(java.net.URI.create("https://API.example.com:443/x"))).isTrue();
        assertThat(fetch.allowed(java.net.URI.create("https://api.example.com.evil.org/x"))).isFalse();
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        var tool = tool("follows", "const r = await call.http.fetch(args.url); return { status: r.status };");
        assertThat(invoke(tool, "http://127.0.0.1:" + port + "/redirect").forModel()).isEqualTo("{\"status\":302}");
    }

    @Test
    void slowServerIsCutOffAtThePluginsTimeLimit() throws Exception {
        var tool = tool("slow_fetch", "const r = await call.http.fetch(args.url); return r.status;");
        long t0 = System.nanoTime();
        var outcome = invoke(tool, "http://127.0.0.1:" + port + "/slow");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_000);
        assertThat(((ToolOutcome.Failure) outcome).message()).startsWith("tool slow_fetch ");
    }
}
