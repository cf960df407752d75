package dev.dialtone.speech;

import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller's long sentence reaches Deepgram's client in several {@code is_final} pieces, and
 * sometimes with {@code speech_final} on an empty final of its own: the whole call still hears one
 * caller turn with the whole text, and no empty turn after it.
 */
class SplitFinalsCallTest {
    private static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You take pizza orders."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            turn: { silence_reprompt_s: 60 }
            """;
    private static final String SAID = "I'd like a large pizza. With extra cheese please.";

    @ParameterizedTest(name = "speech_final on an empty final of its own: {0}")
    @ValueSource(booleans = {false, true})
    void theCallerTurnIsEveryPieceJoinedAndEndsOnce(boolean emptySpeechFinal) throws Exception {
        try (var world = FakeWorld.start(FLOW)) {
            world.stt.script(SAID).finalsEvery(Duration.ofMillis(600)).emptySpeechFinalEvery(emptySpeechFinal ? 1 : 0);
            world.llm.enqueue(Reply.text("Sure, ", "one large pizza with extra cheese."));
            try (var call = world.dial()) {
                assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).as("greeting").isTrue();
                call.sendAudio(FakeAudio.tone(440, 2400)); // about four pieces at 600 ms of speech each
                long spoke = call.lastAudioSentNanos();
                call.sendAudio(FakeAudio.silence(600)); // under the 1 s utterance-end gap: only speech_final can end the turn
                assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).as("reply").isTrue();
                // Quiet for longer than the utterance-end gap: whatever else the STT had to say has been said.
                assertThat(call.awaitQuiet(Duration.ofMillis(1500), Duration.ofSeconds(8))).isTrue();

                var turns = world.parts.switchboard().transcript(call.callSid()).orElseThrow().turns();
                assertThat(turns).hasSize(2);
                assertThat(turns.get(1).callerText()).isEqualTo(SAID);
                assertThat(turns.get(1).agentText()).isEqualTo("Sure, one large pizza with extra cheese.");
                assertThat(world.llm.requests()).hasSize(1);
                var messages = world.llm.requests().getFirst().body().path("messages");
                assertThat(messages.get(messages.size() - 1).path("content").asText()).isEqualTo(SAID);
            }
        }
    }
}
