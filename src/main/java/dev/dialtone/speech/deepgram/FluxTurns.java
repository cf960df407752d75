package dev.dialtone.speech.deepgram;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialtone.net.EventGate;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SttEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one Deepgram Flux socket ({@code wss://api.deepgram.com/v2/listen}) into {@link SttEvent}s,
 * shifted to call time. Runs on that socket's reader thread.
 *
 * <p>The protocol (Deepgram's AsyncAPI for listen v2, its Flux state-machine and Configure pages):
 * the client sends binary audio and the text controls {@code KeepAlive}, {@code CloseStream},
 * {@code ForceEndTurn} and {@code Configure} ({@code {"type":"Configure","thresholds":{"eot_threshold":0.8,
 * "eot_timeout_ms":8000}}}, answered by {@code ConfigureSuccess} or {@code ConfigureFailure}, applied
 * in audio order). The server sends {@code {"type":"Connected","request_id","sequence_id"}}, then
 * {@code {"type":"TurnInfo","event","turn_index","audio_window_start","audio_window_end","transcript",
 * "words":[{"word","confidence"}],"end_of_turn_confidence"}} and, when it gives up,
 * {@code {"type":"Error","code","description"}} before closing. Events follow a state machine:
 * StartOfTurn, Updates (about every 0.25 s of audio, whether the words changed or not), then
 * EagerEndOfTurn (only with {@code eager_eot_threshold}; never with an empty transcript), either
 * TurnResumed (the caller went on) or EndOfTurn, whose transcript equals the last EagerEndOfTurn's.
 * {@code turn_index} grows after each EndOfTurn.
 *
 * <p>Mapped to the project's events: StartOfTurn is {@link SttEvent.SpeechStarted}, Update an
 * {@link SttEvent.Interim}, EagerEndOfTurn and TurnResumed their namesakes, EndOfTurn a
 * {@link SttEvent.Final} with {@code speechFinal}: one Final per turn, the whole turn's text.
 */
final class FluxTurns implements ProviderSocket.Handler {
    private static final System.Logger LOG = System.getLogger(FluxTurns.class.getName());

    private final int generation;
    private final double offsetSeconds;
    private final DeepgramSttSession session;
    private final EventGate<SttEvent> gate;
    /** Between a StartOfTurn and its EndOfTurn; reader thread only. */
    private boolean inTurn;

    FluxTurns(int generation, double offsetSeconds, DeepgramSttSession session, EventGate<SttEvent> gate) {
        this.generation = generation;
        this.offsetSeconds = offsetSeconds;
        this.session = session;
        this.gate = gate;
    }

    @Override
    public void onText(String text) {
        var message = session.parsed(generation, text);
        if (message == null) {
            return;
        }
        switch (message.path("type").asText()) {
            case "TurnInfo" -> turnInfo(message);
            case "Error" -> session.ended(generation, fatal(message));
            case "ConfigureFailure" -> LOG.log(System.Logger.Level.WARNING, "deepgram flux refused a Configure: {0}",
                    ProviderError.abbreviate(message.path("description").asText(message.path("error_code").asText("?"))));
            default -> {
                // Connected, ConfigureSuccess and future types carry nothing the conversation uses.
            }
        }
    }

    private void turnInfo(JsonNode message) {
        var event = message.path("event").asText();
        var transcript = message.path("transcript").asText("");
        double windowStart = message.path("audio_window_start").asDouble();
        double windowEnd = message.path("audio_window_end").asDouble();
        var words = words(message.path("words"), windowStart, windowEnd);
        switch (event) {
            case "StartOfTurn" -> {
                inTurn = true;
                gate.emit(new SttEvent.SpeechStarted(words.isEmpty() ? offsetSeconds + windowStart : words.getFirst().start()));
                if (!transcript.isEmpty()) {
                    gate.emit(new SttEvent.Interim(transcript, words));
                }
            }
            case "Update" -> {
                if (!transcript.isEmpty()) {
                    gate.emit(new SttEvent.Interim(transcript, words));
                }
            }
            case "EagerEndOfTurn" -> gate.emit(new SttEvent.EagerEndOfTurn(transcript, words));
            case "TurnResumed" -> gate.emit(new SttEvent.TurnResumed());
            case "EndOfTurn" -> {
                inTurn = false;
                gate.emit(new SttEvent.Final(transcript, words, true, false));
            }
            default -> {
                return; // an event this client does not know: no state to change
            }
        }
        // Audio up to the window's end is final once its turn ended, or when no turn is open and nothing was heard.
        boolean settled = !inTurn && (event.equals("EndOfTurn") || transcript.isEmpty());
        session.acknowledged(generation, windowEnd, settled);
    }

    /**
     * The words with call-relative times. Flux documents only {@code word} and {@code confidence};
     * where {@code start}/{@code end} are absent the words share the audio window evenly.
     */
    private List<SttEvent.Word> words(JsonNode array, double windowStart, double windowEnd) {
        var out = new ArrayList<SttEvent.Word>();
        int n = array.size();
        double span = n == 0 ? 0 : (windowEnd - windowStart) / n;
        for (int i = 0; i < n; i++) {
            var word = array.get(i);
            double start = word.has("start") ? word.path("start").asDouble() : windowStart + i * span;
            double end = word.has("end") ? word.path("end").asDouble() : start + span;
            out.add(new SttEvent.Word(word.path("word").asText(), offsetSeconds + start, offsetSeconds + end,
                    word.path("confidence").asDouble()));
        }
        return List.copyOf(out);
    }

    /** Flux's {@code Error} ends the socket; a server-side failure is worth a new socket, anything else is not. */
    private static ProviderError fatal(JsonNode message) {
        var code = message.path("code").asText("UNKNOWN");
        var detail = "fatal error " + code + ": " + ProviderError.abbreviate(message.path("description").asText(""));
        boolean server = code.contains("INTERNAL") || code.contains("UNAVAILABLE") || code.contains("TIMEOUT");
        return new ProviderError(server ? ProviderError.Kind.SERVER : ProviderError.Kind.PROTOCOL,
                DeepgramSpeechToText.PROVIDER, detail, server);
    }

    private static ProviderError protocol(String detail) {
        return new ProviderError(ProviderError.Kind.PROTOCOL, DeepgramSpeechToText.PROVIDER, detail, false);
    }

    @Override
    public void onBinary(byte[] data) {
        session.ended(generation, protocol("unexpected binary message on the flux socket"));
    }

    @Override
    public void onEnded(int code, String reason, Throwable error) {
        session.ended(generation, ProviderSocket.endedError(DeepgramSpeechToText.PROVIDER, code, reason, error));
    }
}
