package dev.dialtone.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeTwilio;

/**
 * The graceful stop, with real processes and a real signal: the server runs from the build output
 * with the command {@code bin/dialtone serve} runs, takes calls from the fake Twilio, and gets
 * SIGTERM. Its readiness fails at once while liveness holds; a call in progress goes on (a turn is
 * answered) and ends when its caller hangs up; a call that arrives during the drain is answered
 * (webhook and stream); the call still up at the drain deadline hears a goodbye and is hung up
 * through Twilio's API; then the process exits with status 0.
 */
@EnabledOnOs(OS.LINUX)
class DrainIT {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int DRAIN_S = 8;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermDrainsCallsThenExitsZero(@TempDir Path dir) throws Exception {
        try (var fakes = new BenchFakes(dir)) {
            int port = ServerProcess.freePort();
            var env = new HashMap<>(fakes.serverEnvironment(port));
            env.put("DIALTONE_DRAIN_S", Integer.toString(DRAIN_S));
            env.put("DIALTONE_DRAIN_GOODBYE_S", "15");
            var command = ServerProcess.launcherCommand(ROOT, Map.of());
            try (var server = ServerProcess.start(ROOT, command, env, port, dir.resolve("server.log"))) {
                server.awaitReady(System.nanoTime(), System.out);
                assertThat(status(port, "/observe/health/ready")).isEqualTo(200);
                var twilio = fakes.twilio(port);
                String stragglerSid;
                String finishingSid;
                try (var finishing = new Caller(twilio); var straggler = new Caller(twilio)) {
                    finishing.awaitGreeting();
                    straggler.awaitGreeting();

                    ProcessHandle.of(server.pid()).orElseThrow().destroy(); // SIGTERM
                    assertThat(awaitStatus(port, "/observe/health/ready", 503)).as("readiness fails at once").isTrue();
                    assertThat(status(port, "/observe/health/live")).as("liveness holds").isEqualTo(200);

                    // the call in progress goes on: a question is still answered, then its caller hangs up
                    long asked = finishing.line.speak(FakeAudio.tone(BenchFakes.QUESTION_HZ, 600), 5_000).lastNanos();
                    assertThat(finishing.call.awaitHeardAfter(asked, WAIT)).as("a turn answered during the drain").isTrue();
                    assertThat(finishing.call.awaitQuiet(Duration.ofMillis(300), WAIT)).isTrue();
                    finishing.hangUp();

                    // a call that still arrives is served: webhook, stream, greeting
                    try (var late = new Caller(twilio)) {
                        late.awaitGreeting();
                        late.hangUp();
                    }
                    assertThat(server.alive()).as("the server waits for the straggler").isTrue();
                    assertThat(straggler.call.isClosed()).as("the straggler is not cut before the deadline").isFalse();
                    long beforeDeadline = System.nanoTime();

                    // at the deadline the straggler hears a goodbye and the server ends it
                    assertThat(straggler.call.awaitClosed(Duration.ofSeconds(DRAIN_S).plus(WAIT))).isTrue();
                    assertThat(straggler.call.firstHeardAfter(beforeDeadline)).as("a spoken goodbye").isPresent();
                    stragglerSid = straggler.call.callSid();
                    finishingSid = finishing.call.callSid();
                }
                assertThat(server.awaitExit(WAIT)).as("exit status after the drain; log:\n%s", server.logTail(30)).isEqualTo(0);
                // the process waited for its REST hang-up to be answered before it exited
                assertThat(fakes.twilioApi.requests()).as("hung up through Twilio's API")
                        .anyMatch(r -> r.path().contains("/Calls/" + stragglerSid) && "completed".equals(r.form().get("Status")))
                        .noneMatch(r -> r.path().contains("/Calls/" + finishingSid));
                assertThat(server.logTail(20)).contains("Drain deadline reached: ending 1 call(s) with a goodbye");
            }
        }
    }

    /** One fake caller: the call and its line, which sends Twilio's 20 ms frames all along. */
    private static final class Caller implements AutoCloseable {
        final FakeCall call;
        final CallerLine line;

        Caller(FakeTwilio twilio) throws IOException, InterruptedException {
            call = twilio.dial(BenchFakes.CALLER, BenchFakes.NUMBER);
            line = new CallerLine(call);
        }

        void awaitGreeting() {
            assertThat(call.awaitQuiet(Duration.ofMillis(300), WAIT)).as("greeting heard to its end").isTrue();
        }

        void hangUp() {
            line.close();
            call.stop(); // Twilio's stop, when the caller hangs up
            assertThat(call.awaitClosed(WAIT)).as("the server closes the stream after the caller's stop").isTrue();
        }

        @Override
        public void close() {
            line.close();
            call.close();
        }
    }

    private int status(int port, String path) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private boolean awaitStatus(int port, String path, int expected) throws IOException, InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (status(port, path) == expected) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
