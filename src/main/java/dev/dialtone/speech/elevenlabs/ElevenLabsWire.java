package dev.dialtone.speech.elevenlabs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialtone.llm.ChatJson;

import java.util.Map;
import java.util.TreeMap;

/**
 * What both ElevenLabs transports put on the wire the same way, so that a segment spoken over the
 * HTTP fallback sounds like one spoken over the WebSocket.
 */
final class ElevenLabsWire {

    private ElevenLabsWire() {
    }

    /**
     * Adds {@code voice_settings} with exactly the settings the flow sets (stability,
     * similarity_boost, style, speed), and nothing when it sets none: any field sent overrides the
     * voice's saved settings for the request, so a default of ours would change the voice.
     */
    static void putVoiceSettings(ObjectNode message, Map<String, Double> settings) {
        if (settings.isEmpty()) {
            return;
        }
        var node = message.putObject("voice_settings");
        new TreeMap<>(settings).forEach(node::put); // sorted: the same bytes on both transports
    }

    /** The first message of a segment's socket: the flow's voice settings and the chunking schedule. */
    static String begin(Map<String, Double> voiceSettings) {
        var message = ChatJson.MAPPER.createObjectNode().put("text", " ");
        putVoiceSettings(message, voiceSettings);
        message.putObject("generation_config").putArray("chunk_length_schedule").add(120).add(160).add(250).add(290);
        return message.toString();
    }

    /** The body of one HTTP stream request. */
    static String httpBody(String text, String model, Map<String, Double> voiceSettings) {
        var body = ChatJson.MAPPER.createObjectNode().put("text", text).put("model_id", model);
        putVoiceSettings(body, voiceSettings);
        return body.toString();
    }
}
