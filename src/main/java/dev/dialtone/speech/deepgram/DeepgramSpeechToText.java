package dev.dialtone.speech.deepgram;

import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SpeechToText;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.SttOptions;
import dev.dialtone.speech.SttSession;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.List;

/**
 * Deepgram live transcription over its WebSocket ({@code /v1/listen}, protocols.md section 4): one
 * socket per call session, raw mu-law frames in, Results/SpeechStarted/UtteranceEnd out; KeepAlive
 * while idle, Finalize and CloseStream at the end, and a reconnect that re-sends unacknowledged audio.
 * A Flux model ({@code flux-*}) goes to {@code /v2/listen} instead, on the same session machinery
 * (its messages: {@link FluxTurns}).
 */
public final class DeepgramSpeechToText implements SpeechToText {
    static final String PROVIDER = "deepgram";

    private final URI listenBase;
    private final URI fluxBase;
    private final String apiKey;
    private final Timing timing;

    /**
     * Socket timing. {@code keepAlive} must stay under Deepgram's 10 s idle limit (3-5 s advised).
     *
     * @param connect     upgrade limit per attempt
     * @param keepAlive   silence after which a KeepAlive is sent
     * @param closeGrace  how long {@code close()} waits for the last results
     * @param retryDelays pause before each reconnect attempt; its size is the number of attempts
     * @param resultsTimeout longest silence from Deepgram after audio was sent before the socket is
     *                    presumed dead and replaced (a half-open connection reports nothing;
     *                    Deepgram answers flowing audio, silence included, within seconds)
     */
    public record Timing(Duration connect, Duration keepAlive, Duration closeGrace, List<Duration> retryDelays,
                         Duration resultsTimeout) {

        /** With the default results timeout of 10 s. */
        public Timing(Duration connect, Duration keepAlive, Duration closeGrace, List<Duration> retryDelays) {
            this(connect, keepAlive, closeGrace, retryDelays, Duration.ofSeconds(10));
        }

        public static Timing defaults() {
            return new Timing(Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(2),
                    List.of(Duration.ZERO, Duration.ofMillis(250), Duration.ofSeconds(1)));
        }
    }

    /**
     * @param baseUrl e.g. https://api.deepgram.com (DEEPGRAM_URL); the wss URL is derived from it
     * @param apiKey  sent as {@code Authorization: Token <key>}, nowhere else
     */
    public DeepgramSpeechToText(URI baseUrl, String apiKey, Timing timing) {
        var base = ProviderSocket.webSocketBase(baseUrl).toString();
        var root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.listenBase = URI.create(root + "/v1/listen");
        this.fluxBase = URI.create(root + "/v2/listen");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.timing = timing;
    }

    @Override
    public SttSession open(SttOptions options, Consumer<SttEvent> listener) {
        if (isFlux(options.model())) {
            return DeepgramSttSession.start(fluxUri(options), apiKey, ListenDialect.FLUX, timing, listener);
        }
        return DeepgramSttSession.start(listenUri(options), apiKey, ListenDialect.NOVA, timing, listener);
    }

    /** Whether a model is one of Deepgram's Flux models, which take the turn-based {@code /v2/listen}. */
    public static boolean isFlux(String model) {
        return model.startsWith("flux-");
    }

    /**
     * The Flux URL: mu-law 8 kHz, the end-of-turn thresholds that are set (Deepgram's defaults
     * otherwise), EagerEndOfTurn/TurnResumed only with an eager threshold, keyterms repeated.
     */
    URI fluxUri(SttOptions options) {
        var query = new StringBuilder()
                .append("model=").append(encode(options.model()))
                .append("&encoding=mulaw&sample_rate=8000");
        options.turn().eotThreshold().ifPresent(t -> query.append("&eot_threshold=").append(t));
        options.eagerEotThreshold().ifPresent(t -> query.append("&eager_eot_threshold=").append(t));
        options.turn().eotTimeoutMs().ifPresent(ms -> query.append("&eot_timeout_ms=").append(ms));
        for (var term : options.keyterms()) {
            query.append("&keyterm=").append(encode(term));
        }
        return URI.create(fluxBase + "?" + query);
    }

    /** The listen URL for a flow's options (booleans as "true"/"false", keyterms repeated). */
    URI listenUri(SttOptions options) {
        var query = new StringBuilder()
                .append("model=").append(encode(options.model()))
                .append("&language=").append(encode(options.language()))
                .append("&encoding=mulaw&sample_rate=8000&channels=1&interim_results=true&vad_events=true")
                .append("&punctuate=true&smart_format=").append(options.smartFormat())
                .append("&endpointing=").append(options.endpointingMs().isPresent() ? String.valueOf(options.endpointingMs().getAsInt()) : "false");
        options.utteranceEndMs().ifPresent(ms -> query.append("&utterance_end_ms=").append(ms));
        // nova-3 takes keyterm prompting; older models take keyword boosting.
        var param = options.model().startsWith("nova-3") ? "keyterm" : "keywords";
        for (var term : options.keyterms()) {
            query.append('&').append(param).append('=').append(encode(term));
        }
        return URI.create(listenBase + "?" + query);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "DeepgramSpeechToText[" + listenBase + "]";
    }
}
