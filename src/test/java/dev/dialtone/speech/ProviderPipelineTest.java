package dev.dialtone.speech;

import dev.dialtone.fakes.FakeDeepgramStt;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeProviderServers;
import dev.dialtone.fakes.FakeTtsServer;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.net.EventRecorder;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.speech.deepgram.DeepgramSpeechToText;
import dev.dialtone.speech.deepgram.DeepgramTextToSpeech;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** One turn through all three providers, wired only from the fake world's environment. */
class ProviderPipelineTest {

    @Test
    void aCallerTurnFlowsThroughSttLlmAndTtsFakes() throws Exception {
        try (var world = FakeProviderServers.start()) {
            var env = world.environment();
            world.deepgram().stt().script("Do you deliver?");
            world.openAi().enqueue(FakeLlmServer.Reply.text("Yes, ", "we deliver."));

            var stt = new DeepgramSpeechToText(URI.create(env.get("DEEPGRAM_URL")), env.get("DEEPGRAM_API_KEY"),
                    DeepgramSpeechToText.Timing.defaults());
            var heard = new EventRecorder<SttEvent>();
            var listening = stt.open(SttOptions.defaults(), heard);
            listening.sendAudio(FakeDeepgramStt.tone(400, 800));
            listening.sendAudio(FakeDeepgramStt.silence(600));
            var turn = heard.next(SttEvent.Final.class, 2000);
            assertThat(turn.speechFinal()).isTrue();

            var llm = new OpenAiChatModel(URI.create(env.get("OPENAI_BASE_URL")), env.get("OPENAI_API_KEY"),
                    Duration.ofSeconds(2), Duration.ofSeconds(5));
            var reply = new EventRecorder<ChatEvent>();
            llm.stream(new ChatRequest("gpt-4o-mini", Optional.empty(), Optional.empty(), "Pizza host.",
                    List.of(new ChatMessage.User(turn.text())), List.of()), reply);
            var text = new StringBuilder();
            for (var event : reply.until(ChatEvent.Done.class, 2000)) {
                if (event instanceof ChatEvent.TextDelta delta) {
                    text.append(delta.text());
                }
            }
            assertThat(text).hasToString("Yes, we deliver.");
            assertThat(world.openAi().awaitRequest(100).body().path("messages").get(1).path("content").asText())
                    .isEqualTo("Do you deliver?");

            var tts = new DeepgramTextToSpeech(URI.create(env.get("DEEPGRAM_URL")), env.get("DEEPGRAM_API_KEY"), Duration.ofSeconds(2));
            var spoken = new EventRecorder<TtsEvent>();
            var speaking = tts.open(new TtsOptions("aura-2-thalia-en", ""), spoken);
            speaking.speak(1, text.toString());
            var audio = new ByteArrayOutputStream();
            for (var event : spoken.until(TtsEvent.SegmentDone.class, 2000)) {
                if (event instanceof TtsEvent.Audio chunk) {
                    audio.writeBytes(chunk.mulaw());
                }
            }
            assertThat(audio.toByteArray()).isEqualTo(FakeTtsServer.synthesize("Yes, we deliver.", 20));
            listening.close();
            speaking.close();
        }
    }
}
