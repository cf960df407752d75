package dev.dialtone.speech.deepgram;

import dev.dialtone.net.EventGate;
import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TurnThresholds;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * What differs between Deepgram's two live listen protocols on one {@link DeepgramSttSession}: how
 * a socket's messages are read ({@code /v1/listen} Results, {@code /v2/listen} Flux TurnInfo), the
 * message that finishes the current words, and the message, if any, that changes the end-of-turn
 * thresholds mid-stream.
 */
record ListenDialect(Reader reader, String finalizeMessage, Function<TurnThresholds, Optional<String>> configureMessage) {

    /** The reader of one socket's messages; its audio starts {@code offsetSeconds} into the call. */
    interface Reader {
        ProviderSocket.Handler open(int generation, double offsetSeconds, DeepgramSttSession session, EventGate<SttEvent> gate);
    }

    /** Nova and the other {@code /v1/listen} models: Results, Finalize, no mid-stream changes. */
    static final ListenDialect NOVA = new ListenDialect(DeepgramResults::new, "{\"type\":\"Finalize\"}", t -> Optional.empty());

    /** Deepgram's documented Flux defaults, sent for a threshold left empty so that leaving a patient node restores it. */
    private static final TurnThresholds FLUX_DEFAULTS = new TurnThresholds(OptionalDouble.of(0.7), OptionalInt.of(5000));

    /** Flux ({@code /v2/listen}, see {@link FluxTurns}): TurnInfo, ForceEndTurn, and Configure for new thresholds. */
    static final ListenDialect FLUX = new ListenDialect(FluxTurns::new, "{\"type\":\"ForceEndTurn\"}", thresholds -> {
        var t = thresholds.over(FLUX_DEFAULTS);
        var message = Json.MAPPER.createObjectNode().put("type", "Configure");
        message.putObject("thresholds").put("eot_threshold", t.eotThreshold().getAsDouble())
                .put("eot_timeout_ms", t.eotTimeoutMs().getAsInt());
        return Optional.of(message.toString());
    });
}
