package dev.dialtone.speech.deepgram;

import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Deepgram Aura over its streaming WebSocket ({@code /v1/speak}, protocols.md section 5): Speak and
 * Flush per segment, Clear on barge-in; mu-law 8 kHz, raw. Wrap it in a
 * {@link dev.dialtone.speech.FallbackTextToSpeech} with {@link DeepgramRestTextToSpeech} to survive
 * a refused or dropped socket.
 */
public final class DeepgramTextToSpeech implements TextToSpeech {
    static final String PROVIDER = "deepgram";

    private final URI speakBase;
    private final String apiKey;
    private final Duration connectTimeout;
    private final Duration idleTimeout;

    /** With an idle timeout of 5 s. */
    public DeepgramTextToSpeech(URI baseUrl, String apiKey, Duration connectTimeout) {
        this(baseUrl, apiKey, connectTimeout, Duration.ofSeconds(5));
    }

    /**
     * @param baseUrl     e.g. https://api.deepgram.com (DEEPGRAM_URL); wss is derived
     * @param apiKey      sent as {@code Authorization: Token <key>} only
     * @param idleTimeout longest silence from the socket while a segment waits for audio
     */
    public DeepgramTextToSpeech(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout) {
        var base = ProviderSocket.webSocketBase(baseUrl).toString();
        this.speakBase = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/speak");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        var uri = URI.create(speakBase + "?model=" + URLEncoder.encode(options.voice(), StandardCharsets.UTF_8)
                + "&encoding=mulaw&sample_rate=8000");
        return DeepgramTtsSession.start(uri, apiKey, connectTimeout, idleTimeout, listener);
    }

    @Override
    public String toString() {
        return "DeepgramTextToSpeech[" + speakBase + "]";
    }
}
