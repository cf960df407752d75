package dev.dialtone.speech.deepgram;

import dev.dialtone.net.Json;
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
 * Deepgram Aura over REST ({@code POST /v1/speak?...&container=none}, protocols.md section 5): one
 * streamed request per segment. The fallback when the speak socket cannot be used; also fine alone.
 */
public final class DeepgramRestTextToSpeech implements TextToSpeech {
    private final URI speak;
    private final String apiKey;
    private final Duration idleTimeout;
    private final ProviderConnections connections;

    /**
     * @param baseUrl     e.g. https://api.deepgram.com (DEEPGRAM_URL)
     * @param idleTimeout longest wait for the first byte and between chunks
     */
    public DeepgramRestTextToSpeech(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout) {
        var base = baseUrl.toString();
        this.speak = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/speak");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.idleTimeout = idleTimeout;
        this.connections = new ProviderConnections(Origin.of(baseUrl), connectTimeout);
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        var uri = URI.create(speak + "?model=" + URLEncoder.encode(options.voice(), StandardCharsets.UTF_8)
                + "&encoding=mulaw&sample_rate=8000&container=none");
        return HttpTtsSession.start(DeepgramTextToSpeech.PROVIDER, connections, text -> {
            var body = Json.MAPPER.createObjectNode().put("text", text);
            return new ProviderPost.Request(uri, Map.of("Authorization", "Token " + apiKey,
                    "Content-Type", "application/json"), Json.write(body));
        }, idleTimeout, listener);
    }

    @Override
    public String toString() {
        return "DeepgramRestTextToSpeech[" + speak + "]";
    }
}
