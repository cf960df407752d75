package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;

/** The browser softphone's stream and the live event feed, driven at the protocol level. */
class SoftphoneTest {
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello from the softphone."
            stt: { provider: deepgram }
            llm: { provider: openai }
            tts: { provider: deepgram }
            """;
    private FakeWorld world;

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void aTypedTurnRunsTheFlowAndTheLiveFeedShowsIt() throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", "tok"));
        world.llm.enqueue(Reply.text("A typed hello to you too."));
        var events = new CopyOnWriteArrayList<String>();
        var feed = Thread.ofVirtual().start(() -> readFeed(world.url() + "/api/events?token=tok", events));
        try (var call = world.twilio.softphone("tok", "test")) {
            assertThat(call.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(5))).isTrue();
            call.sendText("hello there");
            awaitTrue(() -> events.stream().anyMatch(e -> e.contains("A typed hello to you too.")));
            assertThat(events).anySatisfy(e -> assertThat(e).startsWith("event: call").contains(call.callSid()));
            assertThat(events).anySatisfy(e -> assertThat(e).startsWith("event: turn").contains("hello there"));
            var request = world.llm.requests().getFirst().body().path("messages");
            assertThat(request.get(1).path("content").asText()).isEqualTo("Hello from the softphone.");
            assertThat(request.get(2).path("content").asText()).isEqualTo("hello there");
            call.stop();
        } finally {
            feed.interrupt();
        }
    }

    @Test
    void theSoftphoneNeedsTheAdminToken() {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", "tok"));
        assertThatThrownBy(() -> world.twilio.softphone("wrong", "test")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> world.twilio.softphone("", "test")).isInstanceOf(IOException.class);
    }

    @Test
    void withoutATokenSettingTheSoftphoneNeedsTheServersOwnTokenEvenFromThisMachine() throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), Map.of());
        // from loopback, as through a reverse proxy or tunnel on the same host
        assertThatThrownBy(() -> world.twilio.softphone("", "test")).isInstanceOf(IOException.class);
        var token = Files.readString(world.dir.resolve("data/admin-token")).strip();
        try (var call = world.twilio.softphone(token, "test")) {
            assertThat(call.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(5))).isTrue();
            call.stop();
        }
    }

    private static void readFeed(String url, List<String> events) {
        try {
            var res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                                                      HttpResponse.BodyHandlers.ofInputStream());
            try (var in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                var event = new StringBuilder();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        events.add(event.toString());
                        event.setLength(0);
                    } else {
                        event.append(line).append('\n');
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // feed closed
        }
    }

    private static void awaitTrue(BooleanSupplier condition) {
        Await.until(condition, Duration.ofSeconds(8));
    }
}
