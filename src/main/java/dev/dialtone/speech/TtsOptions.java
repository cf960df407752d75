package dev.dialtone.speech;

import java.util.Objects;

/**
 * The flow's {@code tts} block, as a provider needs it.
 *
 * @param voice Deepgram model name ("aura-2-thalia-en") or ElevenLabs voice id
 * @param model ElevenLabs model id ("eleven_flash_v2_5"); ignored by Deepgram, whose voice is the model
 * @param voiceSettings ElevenLabs {@code voice_settings} from the flow (stability, similarity_boost,
 *                      speed); empty for the provider's defaults; ignored by Deepgram
 */
public record TtsOptions(String voice, String model, java.util.Map<String, Double> voiceSettings) {
    public TtsOptions {
        Objects.requireNonNull(voice, "voice");
        model = model == null ? "" : model;
        voiceSettings = voiceSettings == null ? java.util.Map.of() : java.util.Map.copyOf(voiceSettings);
    }

    public TtsOptions(String voice, String model) {
        this(voice, model, java.util.Map.of());
    }
}
