package dev.dialtone.speech.elevenlabs;

import dev.dialtone.net.Origin;
import dev.dialtone.net.ProviderConnections;
import dev.dialtone.net.ProviderPost;
import dev.dialtone.speech.HttpTtsSession;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * ElevenLabs streaming HTTP ({@code POST /v1/text-to-speech/{voice}/stream?output_format=ulaw_8000},
 * protocols.md section 6): one request per segment. The fallback for {@link ElevenLabsTextToSpeech}.
 * A JSON error body (non-2xx, or a 2xx that is not audio) is an error, never audio; ElevenLabs'
 * {@code {"detail": {"status", "message"}}} names its kind (an invalid key is AUTH whatever the status).
 */
public final class ElevenLabsHttpTextToSpeech implements TextToSpeech {
    private final URI base;
    private final String apiKey;
    private final Duration idleTimeout;
    private final ProviderConnections connections;

    /** @param baseUrl e.g. https://api.elevenlabs.io (ELEVENLABS_URL) */
    public ElevenLabsHttpTextToSpeech(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout) {
        var text = baseUrl.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.idleTimeout = idleTimeout;
        this.connections = new ProviderConnections(Origin.of(baseUrl), connectTimeout);
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        var uri = URI.create(base + "/v1/text-to-speech/" + URLEncoder.encode(options.voice(), StandardCharsets.UTF_8)
                + "/stream?output_format=ulaw_8000");
        var model = options.model().isEmpty() ? ElevenLabsTextToSpeech.DEFAULT_MODEL : options.model();
        var headers = Map.of("xi-api-key", apiKey, "Content-Type", "application/json", "Accept", "audio/basic");
        return HttpTtsSession.start(ElevenLabsTextToSpeech.PROVIDER, ElevenLabsWire::httpError, connections,
                text -> new ProviderPost.Request(uri, headers, ElevenLabsWire.httpBody(text, model, options.voiceSettings())),
                idleTimeout, listener);
    }

    @Override
    public String toString() {
        return "ElevenLabsHttpTextToSpeech[" + base + "]";
    }
}
