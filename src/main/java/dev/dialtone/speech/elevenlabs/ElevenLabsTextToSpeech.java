package dev.dialtone.speech.elevenlabs;

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
 * ElevenLabs input-streaming WebSocket ({@code /v1/text-to-speech/{voice}/stream-input}, protocols.md
 * section 6), mu-law 8 kHz. Wrap it in a {@link dev.dialtone.speech.FallbackTextToSpeech} with
 * {@link ElevenLabsHttpTextToSpeech}.
 *
 * <p>One socket per segment: the single-context protocol marks no boundary between flushed pieces of
 * text (only {@code isFinal} at the end of the stream), so a socket per segment is the only way to
 * know exactly which audio belongs to which segment, which barge-in needs. The handshake cost is
 * hidden by opening the next socket while the current segment plays.
 *
 * <p>ElevenLabs closes a socket that receives no text for its {@code inactivity_timeout} (20 s
 * unless the URL says otherwise). The socket opened ahead waits through the caller's whole turn,
 * which often lasts longer than 20 s, so the URL asks for {@link #DEFAULT_INACTIVITY} (180 s, the
 * most ElevenLabs allows): a socket costs nothing while it waits (ElevenLabs bills characters), and
 * the session closes it when the call ends. A socket that outlives it anyway is replaced unused
 * (see {@link ElevenLabsTtsSession}).
 */
public final class ElevenLabsTextToSpeech implements TextToSpeech {
    static final String PROVIDER = "elevenlabs";
    static final String DEFAULT_MODEL = "eleven_flash_v2_5"; // when the options name none (a flow always does: ProviderCatalog)
    /** The longest {@code inactivity_timeout} ElevenLabs accepts. */
    public static final Duration DEFAULT_INACTIVITY = Duration.ofSeconds(180);

    private final URI base;
    private final String apiKey;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration inactivityTimeout;

    /** With an inactivity timeout of {@link #DEFAULT_INACTIVITY}. */
    public ElevenLabsTextToSpeech(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout) {
        this(baseUrl, apiKey, connectTimeout, idleTimeout, DEFAULT_INACTIVITY);
    }

    /**
     * @param baseUrl           e.g. https://api.elevenlabs.io (ELEVENLABS_URL); wss is derived
     * @param apiKey            sent as {@code xi-api-key} only
     * @param idleTimeout       longest wait for the next audio message of a segment
     * @param inactivityTimeout how long ElevenLabs keeps a socket that receives no text: whole
     *                          seconds, 1 to 180 ({@code inactivity_timeout})
     */
    public ElevenLabsTextToSpeech(URI baseUrl, String apiKey, Duration connectTimeout, Duration idleTimeout,
                                  Duration inactivityTimeout) {
        var seconds = inactivityTimeout.toSeconds();
        if (seconds < 1 || seconds > DEFAULT_INACTIVITY.toSeconds() || inactivityTimeout.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("inactivity timeout must be whole seconds from 1 to 180: " + inactivityTimeout);
        }
        var text = ProviderSocket.webSocketBase(baseUrl).toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.inactivityTimeout = inactivityTimeout;
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        var model = options.model().isEmpty() ? DEFAULT_MODEL : options.model();
        var uri = URI.create(base + "/v1/text-to-speech/" + URLEncoder.encode(options.voice(), StandardCharsets.UTF_8)
                + "/stream-input?model_id=" + URLEncoder.encode(model, StandardCharsets.UTF_8) + "&output_format=ulaw_8000"
                + "&inactivity_timeout=" + inactivityTimeout.toSeconds());
        var timing = new ElevenLabsTtsSession.Timing(connectTimeout, idleTimeout, inactivityTimeout);
        return ElevenLabsTtsSession.start(uri, apiKey, timing, options.voiceSettings(), listener);
    }

    @Override
    public String toString() {
        return "ElevenLabsTextToSpeech[" + base + "]";
    }
}
