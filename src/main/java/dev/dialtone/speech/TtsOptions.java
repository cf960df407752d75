package dev.dialtone.speech;

import java.util.Objects;

/**
 * The flow's {@code tts} block, as a provider needs it.
 *
 * @param voice Deepgram model name ("aura-2-thalia-en") or ElevenLabs voice id
 * @param model ElevenLabs model id ("eleven_flash_v2_5"); ignored by Deepgram, whose voice is the model
 */
public record TtsOptions(String voice, String model) {
    public TtsOptions {
        Objects.requireNonNull(voice, "voice");
        model = model == null ? "" : model;
    }
}
