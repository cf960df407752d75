package dev.dialtone.conversation;

import dev.dialtone.llm.ChatModel;
import dev.dialtone.speech.TextToSpeech;

/**
 * Wraps the provider clients of one call, as the {@link Switchboard} hands them to it (tracing
 * does: every request of the call becomes a span). {@link #NONE} hands them over as they are, so
 * a server without tracing runs the very same objects.
 */
public interface ProviderWrap {

    ChatModel llm(String callSid, String provider, ChatModel model);

    TextToSpeech tts(String callSid, String provider, TextToSpeech tts);

    ProviderWrap NONE = new ProviderWrap() {
        public ChatModel llm(String callSid, String provider, ChatModel model) {
            return model;
        }

        public TextToSpeech tts(String callSid, String provider, TextToSpeech tts) {
            return tts;
        }
    };
}
