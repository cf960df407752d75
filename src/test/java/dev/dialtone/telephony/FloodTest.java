package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;

/**
 * One signed stream floods the server with 20,000 key presses, then hangs up, while another call
 * goes on: the flood costs at most one LLM request and none after its end, the flooding call is
 * gone from the live list soon after, the health endpoint answers throughout, and the other
 * caller is still answered.
 */
class FloodTest {
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            stt: { provider: deepgram, endpointing: 300 }
            llm: { provider: openai }
            tts: { provider: deepgram }
            turn: { silence_reprompt_s: 60 }
            """;
    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void twentyThousandKeysAndAStopCostAtMostOneRequestAndLeaveOtherCallsAlone() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("What pizzas do you have");
        world.llm.enqueue(Reply.text("We have margherita and pepperoni."));
        var health = new CopyOnWriteArrayList<Integer>();
        var bursting = new AtomicBoolean(true);
        var http = HttpClient.newHttpClient();
        var poller = Thread.ofVirtual().start(() -> {
            while (bursting.get()) {
                try {
                    health.add(http.send(HttpRequest.newBuilder(URI.create(world.url() + "/observe/health")).build(),
                                         HttpResponse.BodyHandlers.discarding()).statusCode());
                } catch (Exception e) {
                    health.add(-1);
                }
            }
        });
        try (var other = world.dial(); var flood = world.dial()) {
            int sent = 0;
            try {
                for (; sent < 20_000 && !flood.isClosed(); sent++) {
                    flood.dtmf(String.valueOf(sent % 10));
                }
                flood.stop();
            } catch (IllegalStateException closedByTheServer) {
                // the server closed the flood (1008) while keys were still going out: that ends the call too
            }
            assertThat(flood.awaitClosed(Duration.ofSeconds(5))).isTrue();
            Await.until(() -> world.parts.switchboard().active().stream()
                                   .noneMatch(c -> c.callSid().equals(flood.callSid())), Duration.ofSeconds(5));
            int afterEnd = keyedRequests();

            other.sendAudio(FakeAudio.tone(440, 700));
            long spoke = other.lastAudioSentNanos();
            other.sendAudio(FakeAudio.silence(600));
            assertThat(other.awaitHeardAfter(spoke, Duration.ofSeconds(10)))
                    .as("the other caller is answered").isTrue();
            assertThat(keyedRequests()).as("LLM requests for the keys").isLessThanOrEqualTo(1).isEqualTo(afterEnd);
        } finally {
            bursting.set(false);
            poller.join();
        }
        assertThat(health).isNotEmpty().allMatch(status -> status == 200);
    }

    /** Requests whose history carries the flood's keys. */
    private int keyedRequests() {
        return (int) world.llm.requests().stream().filter(r -> r.body().toString().contains("on the keypad")).count();
    }
}
