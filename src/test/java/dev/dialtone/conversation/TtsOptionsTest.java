package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.dialtone.flow.ProviderBlock;

/** A flow's tts block becomes the voice options a call's text-to-speech is opened with. */
class TtsOptionsTest {

    @Test
    void theVoiceSettingsAreExactlyTheOnesTheFlowSets() {
        var block = new ProviderBlock("elevenlabs", Optional.empty(), Optional.empty(), Optional.of("voice-1"),
                                      Optional.empty(), Map.of("stability", 0.6, "style", 0.4, "speed", 1.1));
        var options = Switchboard.ttsOptions(block);
        assertThat(options.voice()).isEqualTo("voice-1");
        assertThat(options.model()).isEqualTo("eleven_flash_v2_5");
        assertThat(options.voiceSettings()).isEqualTo(Map.of("stability", 0.6, "style", 0.4, "speed", 1.1));
    }

    @Test
    void aFlowThatSetsNoVoiceSettingsGetsNoneAndTheProvidersDefaultVoice() {
        var block = new ProviderBlock("deepgram", Optional.empty(), Optional.empty(), Optional.empty(),
                                      Optional.empty(), Map.of());
        var options = Switchboard.ttsOptions(block);
        assertThat(options.voice()).isEqualTo("aura-2-thalia-en");
        assertThat(options.voiceSettings()).isEmpty();
    }
}
