package dev.dialtone.speech;

import java.util.Map;
import java.util.Objects;

/**
 * The flow's {@code tts} block, as a provider needs it.
 *
 * @param voice Deepgram model name ("aura-2-thalia-en") or ElevenLabs voice id
 * @param model ElevenLabs model id ("eleven_flash_v2_5"); ignored by Deepgram, whose voice is the model
 * @param voiceSettings ElevenLabs {@code voice_settings} the flow sets (stability, similarity_boost,
 *                      style, speed), sent as they are on every transport; empty for the voice's own
 *                      saved settings; ignored by Deepgram
 */
public record TtsOptions(String voice, String model, Map<String, Double> voiceSettings) {
    public TtsOptions {
        Objects.requireNonNull(voice, "voice");
        model = model == null ? "" : model;
        voiceSettings = voiceSettings == null ? Map.of() : Map.copyOf(voiceSettings);
    }

    public TtsOptions(String voice, String model) {
        this(voice, model, Map.of());
    }
}
