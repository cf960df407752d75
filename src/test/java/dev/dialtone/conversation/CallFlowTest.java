package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;

/** Whole calls through the fakes: Twilio -> Deepgram STT -> OpenAI -> Deepgram TTS -> Twilio. */
class CallFlowTest {
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You take pizza orders for {{call.from}}."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            turn: { silence_reprompt_s: 60 }
            """;

    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    /**
     * The caller speaks (a tone, which the fake STT transcribes from its script), then is silent
     * long enough to end the turn; returns when their speech ended (System.nanoTime).
     */
    static long speak(dev.dialtone.fakes.FakeCall call, int millis) {
        call.sendAudio(FakeAudio.tone(440, millis));
        long ended = call.lastAudioSentNanos();
        call.sendAudio(FakeAudio.silence(600));
        return ended;
    }

    @Test
    void aThreeTurnCallWithAGreeting() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("I'd like a pizza", "Large please", "That's all");
        world.llm.enqueue(Reply.text("Sure", ", what ", "size?"))
                 .enqueue(Reply.text("One large ", "pizza. ", "Anything else?"))
                 .enqueue(Reply.text("Thanks, ", "bye!"));
        try (var call = world.dial()) {
            assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).as("greeting").isTrue();
            for (int turn = 0; turn < 3; turn++) {
                long spoke = speak(call, 700);
                assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).as("reply " + turn).isTrue();
                assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            }
            var transcript = world.parts.switchboard().transcript(call.callSid()).orElseThrow();
            var turns = transcript.turns();
            assertThat(turns).hasSize(4);
            assertThat(turns.get(0).agentText()).isEqualTo("Hello, thanks for calling.");
            assertThat(turns.get(1).callerText()).isEqualTo("I'd like a pizza");
            assertThat(turns.get(1).agentText()).isEqualTo("Sure, what size?");
            assertThat(turns.get(2).agentText()).isEqualTo("One large pizza. Anything else?");
            assertThat(turns.get(3).callerText()).isEqualTo("That's all");
            assertThat(turns.get(3).interrupted()).isFalse();
            assertThat(turns.get(1).firstAudioMs()).isPresent();
            assertThat(turns.get(1).llmFirstTokenMs().orElseThrow()).isLessThanOrEqualTo(turns.get(1).firstAudioMs().orElseThrow());

            var third = world.llm.requests().get(2).body();
            assertThat(third.path("messages").toString())
                    .contains("You take pizza orders for +15551230000.")
                    .contains("I'd like a pizza").contains("Sure, what size?")
                    .contains("One large pizza. Anything else?").contains("That's all");
            call.stop();
        }
    }
}
