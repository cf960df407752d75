package dev.dialtone.speech.deepgram;

import dev.dialtone.net.EventGate;
import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TurnThresholds;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What differs between Deepgram's two live listen protocols on one {@link DeepgramSttSession}: how
 * a socket's messages are read ({@code /v1/listen} Results, {@code /v2/listen} Flux TurnInfo), the
 * message that finishes the current words, and whether thresholds can change mid-stream.
 */
interface ListenDialect {

    /** The reader of one socket's messages; its audio starts {@code offsetSeconds} into the call. */
    ProviderSocket.Handler reader(int generation, double offsetSeconds, DeepgramSttSession session, EventGate<SttEvent> gate);

    /** The control message that asks for the current words now. */
    String finalizeMessage();

    /** The control message that applies {@code thresholds} mid-stream, or empty if the protocol has none. */
    Optional<String> configureMessage(TurnThresholds thresholds);

    /** Nova and the other {@code /v1/listen} models: Results, Finalize, no mid-stream changes. */
    ListenDialect NOVA = new ListenDialect() {
        @Override
        public ProviderSocket.Handler reader(int generation, double offsetSeconds, DeepgramSttSession session,
                                             EventGate<SttEvent> gate) {
            return new DeepgramResults(generation, offsetSeconds, session, gate);
        }

        @Override
        public String finalizeMessage() {
            return "{\"type\":\"Finalize\"}";
        }

        @Override
        public Optional<String> configureMessage(TurnThresholds thresholds) {
            return Optional.empty();
        }
    };

    /**
     * Flux ({@code /v2/listen}, see {@link FluxTurns}): TurnInfo, ForceEndTurn, and Configure for new
     * thresholds; a threshold left empty is sent as Deepgram's documented default, so that leaving a
     * patient node restores it.
     */
    ListenDialect FLUX = new ListenDialect() {
        private static final TurnThresholds DEFAULTS = new TurnThresholds(OptionalDouble.of(0.7), OptionalInt.of(5000));

        @Override
        public ProviderSocket.Handler reader(int generation, double offsetSeconds, DeepgramSttSession session,
                                             EventGate<SttEvent> gate) {
            return new FluxTurns(generation, offsetSeconds, session, gate);
        }

        @Override
        public String finalizeMessage() {
            return "{\"type\":\"ForceEndTurn\"}";
        }

        @Override
        public Optional<String> configureMessage(TurnThresholds thresholds) {
            var t = thresholds.over(DEFAULTS);
            var message = Json.MAPPER.createObjectNode().put("type", "Configure");
            message.putObject("thresholds").put("eot_threshold", t.eotThreshold().getAsDouble())
                    .put("eot_timeout_ms", t.eotTimeoutMs().getAsInt());
            return Optional.of(message.toString());
        }
    };
}
