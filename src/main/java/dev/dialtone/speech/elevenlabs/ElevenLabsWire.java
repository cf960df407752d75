package dev.dialtone.speech.elevenlabs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderError.Kind;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What both ElevenLabs transports put on the wire the same way, so that a segment spoken over the
 * HTTP fallback sounds like one spoken over the WebSocket, and the errors both report, read from
 * ElevenLabs' own error shapes.
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
        var message = Json.MAPPER.createObjectNode().put("text", " ");
        putVoiceSettings(message, voiceSettings);
        message.putObject("generation_config").putArray("chunk_length_schedule").add(120).add(160).add(250).add(290);
        return message.toString();
    }

    /** The body of one HTTP stream request. */
    static String httpBody(String text, String model, Map<String, Double> voiceSettings) {
        var body = Json.MAPPER.createObjectNode().put("text", text).put("model_id", model);
        putVoiceSettings(body, voiceSettings);
        return body.toString();
    }

    /**
     * An error message on the socket, {@code {"message": ..., "error": ..., "code": ...}} (the
     * service sends one before it closes the socket with 1008), as a typed error.
     */
    static ProviderError socketError(JsonNode message) {
        var error = message.path("error").asText("");
        var text = message.path("message").asText("");
        var detail = error.isEmpty() ? text : text.isEmpty() ? error : error + ": " + text;
        var kind = kind(error + " " + text, message.path("code").asInt() == 1008 ? Kind.PROTOCOL : Kind.SERVER);
        return error(kind, detail.isEmpty() ? message.toString() : detail);
    }

    /**
     * A refused HTTP request, from its status and its JSON body: {@code {"detail": {"status": ...,
     * "message": ...}}}, or the validation form {@code {"detail": [{"loc": [...], "msg": ...}]}}.
     */
    static ProviderError httpError(int status, String body) {
        var byStatus = ProviderError.ofStatus(ElevenLabsTextToSpeech.PROVIDER, status, body);
        JsonNode detail;
        try {
            detail = Json.MAPPER.readTree(body == null ? "" : body).path("detail");
        } catch (JsonProcessingException e) {
            return byStatus;
        }
        String words;
        if (detail.isObject()) {
            words = (detail.path("status").asText("") + ": " + detail.path("message").asText("")).replaceAll("^: |: $", "");
        } else if (detail.isArray() && !detail.isEmpty()) {
            words = detail.path(0).path("msg").asText("") + " (" + detail.path(0).path("loc") + ")";
        } else if (detail.isTextual()) {
            words = detail.asText();
        } else {
            return byStatus;
        }
        return error(kind(words, byStatus.kind()), "HTTP " + status + ": " + words);
    }

    /**
     * The kind an error's words name, whatever their case ("Invalid API Key", "invalid_api_key",
     * "auth_error"); {@code otherwise} when they name none.
     */
    private static Kind kind(String words, Kind otherwise) {
        var lower = words.toLowerCase(Locale.ROOT);
        if (lower.contains("api key") || lower.contains("api_key") || lower.contains("apikey") || lower.contains("auth")
                || lower.contains("permission") || lower.contains("quota")) {
            return Kind.AUTH; // a key refused, or an account that may not speak: trying again will not help
        }
        if (lower.contains("input_timeout")) {
            return Kind.TIMEOUT;
        }
        if (lower.contains("rate_limit") || lower.contains("rate limit") || lower.contains("concurrent")
                || lower.contains("system_busy")) {
            return Kind.RATE_LIMIT;
        }
        return otherwise;
    }

    private static ProviderError error(Kind kind, String message) {
        boolean retryable = kind != Kind.AUTH && kind != Kind.PROTOCOL;
        return new ProviderError(kind, ElevenLabsTextToSpeech.PROVIDER, ProviderError.abbreviate(message), retryable);
    }
}
