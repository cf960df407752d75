package dev.dialtone.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.fakes.FakeCall;
import dev.dialtone.store.PostgresTestDatabase;

/**
 * Two Dialtone instances, each a process of its own started with the command {@code bin/dialtone
 * serve} runs (with the test's class path in place of the jar, which the test phase has not built
 * yet), on loopback, sharing one real PostgreSQL, with the fake providers and the fake Twilio
 * caller: each instance lists and hangs up the other's calls and sees them on its live feed, reports
 * that the two serve different versions of a flow, and, when one is killed with SIGKILL, marks its
 * calls failed within a few heartbeats, leaving no ghost call.
 */
@EnabledOnOs(OS.LINUX)
class FleetProcessTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    /** Long enough for a busy machine; the fleet's own timing is three heartbeats. */
    private static final Duration PATIENCE = Duration.ofSeconds(40);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var item : open.reversed()) {
            try {
                item.close();
            } catch (RuntimeException e) {
                // a call whose server was killed cannot say goodbye: nothing to clean up
            }
        }
    }

    @Test
    void twoInstancesShareCallsActionsTheFeedAndFlowVersionsAndAKilledOneLeavesNoGhostCalls(@TempDir Path dir) throws Exception {
        var fakes = new BenchFakes(dir.resolve("a"));
        open.add(fakes);
        var database = PostgresTestDatabase.shared().newDatabaseUrl();
        // the benchmark's flow without its tool (no plugin to compile: a quicker start); b serves
        // another version of it: its greeting differs
        var flow = BenchFakes.flow(BenchFakes.Listening.NOVA).replace("tools: [bench_price]\n", "");
        var flowsA = Files.createDirectories(dir.resolve("a/served"));
        var flowsB = Files.createDirectories(dir.resolve("b/served"));
        Files.writeString(flowsA.resolve("bench.yaml"), flow);
        Files.writeString(flowsB.resolve("bench.yaml"), flow.replace("Hi, Luigi's.", "Hello, Luigi's."));
        var noPlugins = Files.createDirectories(dir.resolve("no-plugins")).toString();
        int portA = ServerProcess.freePort();
        int portB = ServerProcess.freePort();
        var a = start(fakes, "a", portA, database, dir.resolve("a"), Map.of("DIALTONE_FLOWS", flowsA.toString(),
                                                                          "DIALTONE_PLUGINS", noPlugins));
        var b = start(fakes, "b", portB, database, dir.resolve("b"), Map.of("DIALTONE_FLOWS", flowsB.toString(),
                                                                          "DIALTONE_PLUGINS", noPlugins));
        var quiet = new PrintStream(OutputStream.nullOutputStream());
        a.awaitReady(System.nanoTime(), quiet);
        b.awaitReady(System.nanoTime(), quiet);

        var feedB = new CopyOnWriteArrayList<String>();
        subscribe(fakes, portB, feedB);
        var onA = dial(fakes, portA);
        var onB = dial(fakes, portB);

        // each instance lists both calls, with the instance that holds each
        var listedByB = await(() -> get(fakes, portB, "/api/calls/active"), calls -> calls.size() == 2);
        assertThat(holders(listedByB)).containsEntry(onA.callSid(), "a").containsEntry(onB.callSid(), "b");
        // each instance writes its own calls to the registry from a thread of its own: a sees b's a moment later
        var listedByA = await(() -> get(fakes, portA, "/api/calls/active"), calls -> calls.size() == 2);
        assertThat(holders(listedByA)).containsEntry(onA.callSid(), "a").containsEntry(onB.callSid(), "b");
        // b's live feed carried a's call, as a's own events
        awaitTrue(() -> feedB.stream().anyMatch(line -> line.contains(onA.callSid()) && line.contains("\"instance\":\"a\"")));

        // the flow's versions differ between the two, and both instances say so
        var flows = get(fakes, portA, "/api/flows");
        var bench = flows.get(0);
        assertThat(bench.path("name").asText()).isEqualTo("bench");
        assertThat(bench.path("consistent").asBoolean()).isFalse();
        assertThat(bench.path("instances").path("a").asText()).isEqualTo(bench.path("version").asText());
        assertThat(bench.path("instances").path("b").asText()).isNotEmpty().isNotEqualTo(bench.path("version").asText());

        // b hangs up the call a holds: a ends it
        var answer = post(fakes, portB, "/api/calls/" + onA.callSid() + "/hangup");
        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(answer.body()).path("instance").asText()).isEqualTo("a");
        assertThat(onA.awaitClosed(PATIENCE)).as("a closed the stream of its call").isTrue();
        await(() -> get(fakes, portB, "/api/calls/active"), calls -> calls.size() == 1);
        await(() -> get(fakes, portB, "/api/calls/" + onA.callSid()), call -> call.path("status").asText().equals("completed"));

        // a call on a, then a dies without a word: b marks it failed and stops listing it
        var lost = dial(fakes, portA);
        await(() -> get(fakes, portB, "/api/calls/active"), calls -> holders(calls).containsKey(lost.callSid()));
        await(() -> get(fakes, portB, "/api/calls/" + lost.callSid()), call -> call.path("status").asText().equals("active"));
        Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(a.pid())}).waitFor();
        var active = await(() -> get(fakes, portB, "/api/calls/active"), calls -> !holders(calls).containsKey(lost.callSid()));
        assertThat(holders(active)).containsOnlyKeys(onB.callSid());
        // the listing leaves out a silent instance's calls at once; b's next heartbeat fails their records
        var record = await(() -> get(fakes, portB, "/api/calls/" + lost.callSid()),
                           call -> !call.path("status").asText().equals("active"));
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("endReason").asText()).isEqualTo("instance lost");
        assertThat(get(fakes, portB, "/api/flows").get(0).path("instances").has("a")).as("a left the fleet").isFalse();
        b.requireAlive("the test");
    }

    /**
     * The same fleet behind nginx (Debian's, when installed; skipped otherwise) as the load balancer
     * for the webhooks and the Media Streams: Twilio reaches one public address, the streams spread
     * over both instances (least connections), and every call is listed and hung up through it,
     * whichever instance the API request lands on.
     */
    @Test
    void behindNginxTheCallsSpreadOverTheInstancesAndAnyInstanceEndsAnyCall(@TempDir Path dir) throws Exception {
        var nginx = Path.of("/usr/sbin/nginx");
        Assumptions.assumeTrue(Files.isExecutable(nginx), "nginx is not installed (apt-get install nginx): the load-balanced "
                + "variant of the fleet test is skipped; the direct one ran");
        var fakes = new BenchFakes(dir.resolve("a"));
        open.add(fakes);
        var database = PostgresTestDatabase.shared().newDatabaseUrl();
        var flows = Files.createDirectories(dir.resolve("served"));
        Files.writeString(flows.resolve("bench.yaml"), BenchFakes.flow(BenchFakes.Listening.NOVA).replace("tools: [bench_price]\n", ""));
        var noPlugins = Files.createDirectories(dir.resolve("no-plugins")).toString();
        int portA = ServerProcess.freePort();
        int portB = ServerProcess.freePort();
        int front = ServerProcess.freePort();
        var shared = Map.of("DIALTONE_FLOWS", flows.toString(), "DIALTONE_PLUGINS", noPlugins,
                            "PUBLIC_URL", BenchFakes.serverUrl(front).toString());
        var a = start(fakes, "a", portA, database, dir.resolve("a"), shared);
        var b = start(fakes, "b", portB, database, dir.resolve("b"), shared);
        var balancer = startNginx(nginx, dir.resolve("nginx"), front, portA, portB);
        var quiet = new PrintStream(OutputStream.nullOutputStream());
        a.awaitReady(System.nanoTime(), quiet);
        b.awaitReady(System.nanoTime(), quiet);

        var calls = new ArrayList<FakeCall>();
        for (int i = 0; i < 4; i++) {
            calls.add(dial(fakes, front));
        }
        var listed = await(() -> get(fakes, front, "/api/calls/active"), list -> list.size() == 4);
        assertThat(holders(listed).values()).as("the streams went to both instances").contains("a", "b");
        for (var call : calls) {
            assertThat(post(fakes, front, "/api/calls/" + call.callSid() + "/hangup").statusCode()).isEqualTo(202);
        }
        for (var call : calls) {
            assertThat(call.awaitClosed(PATIENCE)).as("call " + call.callSid() + " ended").isTrue();
        }
        await(() -> get(fakes, front, "/api/calls/active"), list -> list.isEmpty());
        assertThat(balancer.isAlive()).isTrue();
    }

    private Process startNginx(Path nginx, Path dir, int front, int portA, int portB) throws Exception {
        Files.createDirectories(dir.resolve("temp"));
        var config = dir.resolve("nginx.conf");
        Files.writeString(config, """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/temp/body;
                    proxy_temp_path %1$s/temp/proxy;
                    fastcgi_temp_path %1$s/temp/fastcgi;
                    uwsgi_temp_path %1$s/temp/uwsgi;
                    scgi_temp_path %1$s/temp/scgi;
                    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                    upstream dialtone { least_conn; server 127.0.0.1:%2$d; server 127.0.0.1:%3$d; }
                    server {
                        listen 127.0.0.1:%4$d;
                        location / {
                            proxy_pass http://dialtone;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_set_header Host $http_host;
                            proxy_read_timeout 3600s;
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(dir, portA, portB, front));
        var process = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        open.add(() -> {
            process.destroy();
            process.waitFor();
        });
        awaitTrue(() -> ProcFiles.listening(process.pid(), front) || !process.isAlive());
        assertThat(process.isAlive()).as("nginx started: " + Files.readString(dir.resolve("nginx.out"))).isTrue();
        return process;
    }

    private ServerProcess start(BenchFakes fakes, String id, int port, String database, Path dir, Map<String, String> extra)
            throws Exception {
        var env = new HashMap<>(fakes.serverEnvironment(port));
        env.put("DIALTONE_DB", database);
        env.put("DIALTONE_DATA", dir.resolve("data").toString());
        env.put("DIALTONE_INSTANCE_ID", id);
        env.put("DIALTONE_HEARTBEAT_MS", Long.toString(HEARTBEAT.toMillis()));
        env.put("DIALTONE_STREAM_SECRET", "fleet-test-stream-secret-0123456789");
        env.put("DIALTONE_STREAM_IDLE_MS", "600000"); // the fake caller is silent between its words
        env.put("DIALTONE_JAVA_OPTS", "-Xmx384m");
        env.putAll(extra);
        var server = ServerProcess.start(ROOT, fromClassPath(ServerProcess.launcherCommand(ROOT, env)), env, port,
                                         Files.createDirectories(dir).resolve("server-" + id + ".log"));
        open.add(server);
        return server;
    }

    /** The launcher's command with this test's class path in place of the jar (not built before the tests run). */
    private static List<String> fromClassPath(List<String> command) {
        var out = new ArrayList<String>();
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("-jar")) {
                out.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.dialtone.Main"));
                i++;
            } else {
                out.add(command.get(i));
            }
        }
        assertThat(out).contains("dev.dialtone.Main").doesNotContain("-jar");
        return out;
    }

    private FakeCall dial(BenchFakes fakes, int port) throws Exception {
        var call = fakes.twilio(port).dial(BenchFakes.CALLER, BenchFakes.NUMBER);
        open.add(call);
        call.begin();
        return call;
    }

    private void subscribe(BenchFakes fakes, int port, List<String> lines) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
                                 .header("Authorization", "Bearer " + fakes.adminToken()).build();
        var reader = Thread.ofVirtual().start(() -> {
            try {
                var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                }
            } catch (Exception e) {
                lines.add("ended: " + e);
            }
        });
        open.add(reader::interrupt);
        awaitTrue(() -> lines.contains(": connected"));
    }

    private static Map<String, String> holders(JsonNode calls) {
        var out = new HashMap<String, String>();
        calls.forEach(call -> out.put(call.path("callSid").asText(), call.path("instance").asText()));
        return out;
    }

    private JsonNode get(BenchFakes fakes, int port, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                 .header("Authorization", "Bearer " + fakes.adminToken()).timeout(Duration.ofSeconds(5)).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    }

    private HttpResponse<String> post(BenchFakes fakes, int port, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                 .header("Authorization", "Bearer " + fakes.adminToken())
                                 .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    interface Read {
        JsonNode get() throws Exception;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static JsonNode await(Read read, Predicate<JsonNode> condition) throws Exception {
        var deadline = System.nanoTime() + PATIENCE.toNanos();
        var last = read.get();
        while (!condition.test(last)) {
            assertThat(System.nanoTime()).as("within %s; last read: %s", PATIENCE, last).isLessThan(deadline);
            Thread.sleep(50);
            last = read.get();
        }
        return last;
    }

    private static void awaitTrue(Check check) throws Exception {
        var deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!check.holds()) {
            assertThat(System.nanoTime()).as("within %s", PATIENCE).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
