package dev.dialtone.conversation;

import java.util.Map;
import java.util.Optional;

import dev.dialtone.llm.ChatModel;
import dev.dialtone.speech.SpeechToText;
import dev.dialtone.speech.TextToSpeech;

/**
 * The provider clients a call can use, by the names flows give them ("deepgram", "openai",
 * "anthropic", "elevenlabs"). Built once in {@code Main}, or pointed at fakes in tests.
 */
public record Providers(Map<String, SpeechToText> stt, Map<String, ChatModel> llm, Map<String, TextToSpeech> tts) {

    public Providers {
        stt = Map.copyOf(stt);
        llm = Map.copyOf(llm);
        tts = Map.copyOf(tts);
    }

    Optional<SpeechToText> stt(String name) {
        return Optional.ofNullable(stt.get(name));
    }

    Optional<ChatModel> llm(String name) {
        return Optional.ofNullable(llm.get(name));
    }

    Optional<TextToSpeech> tts(String name) {
        return Optional.ofNullable(tts.get(name));
    }
}
