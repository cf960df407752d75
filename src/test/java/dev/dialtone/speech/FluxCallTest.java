package dev.dialtone.speech;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;

/**
 * A whole call listening through Deepgram Flux (the fake's {@code /v2/listen}): a caller who pauses
 * between the eager and the real end of turn is one turn with all their words, answered once; the
 * start node's patience reaches Flux as a Configure before the caller speaks.
 */
class FluxCallTest {
    private static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You book appointments."
            stt: { provider: deepgram, model: flux-general-en, eot_threshold: 0.7, eager_eot_threshold: 0.5 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            turn: { silence_reprompt_s: 60 }
            start: birth
            nodes:
              birth:
                prompt: Ask for the date of birth.
                patience: { eot_threshold: 0.8 }
            """;

    @Test
    void aResumedTurnIsOneTurnAndThePatientNodeConfiguresFlux() throws Exception {
        try (var world = FakeWorld.start(FLOW)) {
            world.stt.script("my date of birth is", "March third 1980");
            world.llm.enqueue(Reply.text("Thank you."));
            try (var call = world.dial()) {
                assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).as("greeting").isTrue();
                call.sendAudio(FakeAudio.tone(440, 1200));
                // 450 ms: past the eager end (400 ms at 0.5) and short of the real one (640 ms at 0.8)
                call.sendAudio(FakeAudio.silence(450));
                call.sendAudio(FakeAudio.tone(440, 1000));
                long spoke = call.lastAudioSentNanos();
                call.sendAudio(FakeAudio.silence(900));
                assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).as("reply").isTrue();
                assertThat(call.awaitQuiet(Duration.ofMillis(800), Duration.ofSeconds(8))).isTrue();

                var turns = world.parts.switchboard().transcript(call.callSid()).orElseThrow().turns();
                assertThat(turns).hasSize(2);
                assertThat(turns.get(1).callerText()).isEqualTo("my date of birth is March third 1980");
                assertThat(world.llm.requests()).hasSize(1);
                var connection = world.stt.awaitConnection(0, 1000);
                assertThat(connection.query("model")).isEqualTo("flux-general-en");
                assertThat(connection.controls()).first().isEqualTo("Configure");
            }
        }
    }
}
