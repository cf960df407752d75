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
 */
public final class DeepgramSpeechToText implements SpeechToText {
    static final String PROVIDER = "deepgram";

    private final URI listenBase;
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
        this.listenBase = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/listen");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.timing = timing;
    }

    @Override
    public SttSession open(SttOptions options, Consumer<SttEvent> listener) {
        return DeepgramSttSession.start(listenUri(options), apiKey, timing, listener);
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
