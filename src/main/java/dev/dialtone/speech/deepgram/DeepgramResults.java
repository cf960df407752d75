package dev.dialtone.speech.deepgram;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dialtone.net.EventGate;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderSocket;
import dev.dialtone.speech.SttEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one Deepgram socket's messages into {@link SttEvent}s, shifted to call time, and tells
 * the session which audio is final. Runs on that socket's reader thread.
 */
final class DeepgramResults implements ProviderSocket.Handler {
    private final int generation;
    private final double offsetSeconds;
    private final DeepgramSttSession session;
    private final EventGate<SttEvent> gate;

    DeepgramResults(int generation, double offsetSeconds, DeepgramSttSession session, EventGate<SttEvent> gate) {
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
            case "Results" -> results(message);
            case "SpeechStarted" -> gate.emit(new SttEvent.SpeechStarted(offsetSeconds + message.path("timestamp").asDouble()));
            case "UtteranceEnd" -> gate.emit(new SttEvent.UtteranceEnd(offsetSeconds + message.path("last_word_end").asDouble()));
            default -> {
                // Metadata (on close) and future message types carry nothing the conversation uses.
            }
        }
    }

    private void results(JsonNode message) {
        var alternative = message.path("channel").path("alternatives").path(0);
        var text = alternative.path("transcript").asText("");
        var words = new ArrayList<SttEvent.Word>();
        for (var word : alternative.path("words")) {
            words.add(new SttEvent.Word(word.path("punctuated_word").asText(word.path("word").asText()),
                    offsetSeconds + word.path("start").asDouble(), offsetSeconds + word.path("end").asDouble(),
                    word.path("confidence").asDouble()));
        }
        boolean isFinal = message.path("is_final").asBoolean();
        boolean speechFinal = message.path("speech_final").asBoolean();
        boolean fromFinalize = message.path("from_finalize").asBoolean();
        if (isFinal) {
            // Empty finals during silence still matter: they acknowledge audio and answer a Finalize.
            if (!text.isEmpty() || speechFinal || fromFinalize) {
                gate.emit(new SttEvent.Final(text, List.copyOf(words), speechFinal, fromFinalize));
            }
        } else if (!text.isEmpty()) {
            gate.emit(new SttEvent.Interim(text, List.copyOf(words)));
        }
        session.acknowledged(generation, message.path("start").asDouble() + message.path("duration").asDouble(), isFinal);
    }

    @Override
    public void onBinary(byte[] data) {
        session.ended(generation, new ProviderError(ProviderError.Kind.PROTOCOL, DeepgramSpeechToText.PROVIDER,
                "unexpected binary message on the listen socket", false));
    }

    @Override
    public void onEnded(int code, String reason, Throwable error) {
        session.ended(generation, ProviderSocket.endedError(DeepgramSpeechToText.PROVIDER, code, reason, error));
    }
}
