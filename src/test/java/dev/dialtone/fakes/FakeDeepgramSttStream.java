package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One {@code /v1/listen} socket of {@link FakeDeepgramStt}: processes audio 20 ms at a time on the
 * audio clock and decides what to send; {@link FakeListenSocket} carries it. The socket's reader
 * thread owns all fields.
 */
final class FakeDeepgramSttStream implements FakeListenSocket.Protocol {
    private static final ObjectMapper JSON = FakeListenSocket.JSON;
    private static final int FRAME = FakeListenSocket.FRAME;
    private static final double RATE = FakeListenSocket.RATE;

    private final FakeDeepgramStt fake;
    private final FakeListenSocket socket;
    private final int endpointingBytes;
    private final int utteranceEndBytes;
    private final boolean interims;
    private final boolean vadEvents;

    /** Audio clock: bytes processed. */
    private long position;
    private long finalisedUntil;
    private boolean inSpeech;
    private boolean speechStartedDue; // vad_events: SpeechStarted waits for fake.speechStartedAfter of speech
    private long speechStart;
    private long lastVoiced;
    private long lastInterim;
    /** Words of the current utterance already sent in is_final pieces. */
    private int finalWords;
    /** Where the current piece of the utterance began (audio bytes). */
    private long pieceStart;
    private long zeroCrossings;
    private long voicedSamples;
    private String utteranceText;
    /** The utterance's words as punctuated, and as Deepgram's bare lower-case {@code word}; set with its text. */
    private List<String> utteranceWords = List.of();
    private List<String> bareWords = List.of();
    private long utteranceEndFrom = -1;

    FakeDeepgramSttStream(FakeDeepgramStt fake, FakeDeepgramStt.Connection connection, FakeListenSocket socket) {
        this.fake = fake;
        this.socket = socket;
        var endpointing = connection.query("endpointing");
        this.endpointingBytes = endpointing == null ? 80 : endpointing.equals("false") ? -1 : Integer.parseInt(endpointing) * 8;
        var utteranceEnd = connection.query("utterance_end_ms");
        this.utteranceEndBytes = utteranceEnd == null ? -1 : Integer.parseInt(utteranceEnd) * 8;
        this.interims = "true".equals(connection.query("interim_results"));
        this.vadEvents = "true".equals(connection.query("vad_events"));
    }

    @Override
    public void control(String type, JsonNode message) {
        switch (type) {
            case "Finalize" -> finaliseNow(true);
            case "CloseStream" -> {
                finaliseNow(false);
                var metadata = JSON.createObjectNode().put("type", "Metadata").put("request_id", "fake-request")
                        .put("duration", position / RATE).put("channels", 1);
                send(metadata);
                socket.closeAfterSent(1000);
            }
            default -> {
                // KeepAlive only resets the idle timer, done by the socket.
            }
        }
    }

    @Override
    public void frame(boolean voiced, int crossings) {
        long frameStart = position;
        position += FRAME;
        if (voiced) {
            if (!inSpeech) {
                inSpeech = true;
                speechStart = frameStart;
                lastInterim = frameStart;
                finalWords = 0;
                pieceStart = frameStart;
                zeroCrossings = 0;
                voicedSamples = 0;
                utteranceText = null;
                utteranceEndFrom = -1;
                speechStartedDue = vadEvents;
            }
            if (speechStartedDue && position - speechStart >= fake.speechStartedAfter.toMillis() * 8) {
                speechStartedDue = false;
                send(JSON.createObjectNode().put("type", "SpeechStarted").put("timestamp", speechStart / RATE)
                        .set("channel", JSON.createArrayNode().add(0).add(1)));
            }
            lastVoiced = position;
            zeroCrossings += crossings;
            voicedSamples += FRAME;
            if (interims && position - lastInterim >= fake.interimEvery.toMillis() * 8) {
                lastInterim = position;
                int shown = revealed();
                if (shown > finalWords) {
                    results(finalWords, shown, false, false, false, position, pieceStart, lastVoiced);
                }
            }
            long every = fake.finalEvery.toMillis() * 8;
            if (every > 0 && position - pieceStart >= every) {
                piece();
            }
            return;
        }
        if (inSpeech && endpointingBytes >= 0 && position - lastVoiced >= endpointingBytes) {
            endUtterance(true, false);
        }
        if (inSpeech && endpointingBytes < 0 && utteranceEndBytes >= 0 && position - lastVoiced >= utteranceEndBytes) {
            endUtterance(false, false);
        }
        if (utteranceEndFrom >= 0 && position - utteranceEndFrom >= utteranceEndBytes) {
            send(JSON.createObjectNode().put("type", "UtteranceEnd").put("last_word_end", utteranceEndFrom / RATE)
                    .set("channel", JSON.createArrayNode().add(0).add(1)));
            utteranceEndFrom = -1;
        }
        if (!inSpeech && position - finalisedUntil >= 8000) {
            results(0, 0, true, false, false, position, position, position);
        }
    }

    /**
     * An is_final piece while the speech goes on, as Deepgram sends every few seconds: the words
     * heard since the last piece, up to the last sentence end among them if there is one.
     */
    private void piece() {
        var words = words();
        int upTo = revealed();
        for (int i = upTo; i > finalWords; i--) {
            if (words.get(i - 1).matches(".*[.?!]$")) {
                upTo = i;
                break;
            }
        }
        if (upTo <= finalWords) {
            return;
        }
        results(finalWords, upTo, true, false, false, position, pieceStart, position);
        finalWords = upTo;
        pieceStart = position;
    }

    /**
     * Ends the current utterance: the words not yet in a piece, then, when it ends by endpointing,
     * {@code speech_final}. That goes on the last words, or on an empty final of its own when the
     * pieces took every word or when {@link FakeDeepgramStt#emptySpeechFinalEvery} says so.
     */
    private void endUtterance(boolean speechFinal, boolean fromFinalize) {
        var words = words();
        fake.utterancesFinalised.incrementAndGet();
        inSpeech = false;
        speechStartedDue = false;
        int every = fake.emptySpeechFinalEvery;
        boolean separate = speechFinal && every > 0 && fake.utterancesEndpointed.incrementAndGet() % every == 0;
        boolean rest = finalWords < words.size();
        if (rest || !speechFinal) {
            results(finalWords, words.size(), true, speechFinal && !separate, fromFinalize, position, pieceStart, lastVoiced);
        }
        if (speechFinal && (separate || !rest)) {
            results(0, 0, true, true, false, position, position, position);
        }
        if (utteranceEndBytes >= 0 && !words.isEmpty()) {
            utteranceEndFrom = lastVoiced;
        }
    }

    /** How many of the utterance's words have been heard by now: one per interim period of speech. */
    private int revealed() {
        long period = Math.max(1, fake.interimEvery.toMillis() * 8);
        return (int) Math.min(words().size(), (position - speechStart) / period);
    }

    private void finaliseNow(boolean fromFinalize) {
        if (inSpeech) {
            endUtterance(false, fromFinalize);
        } else if (fromFinalize) {
            results(0, 0, true, false, true, position, position, position);
        }
    }

    /** The scripted words of the current utterance, spread evenly over its voiced span. */
    private List<String> words() {
        if (utteranceText == null) {
            double hz = voicedSamples == 0 ? 0 : zeroCrossings * RATE / (2.0 * voicedSamples);
            utteranceText = fake.script.apply(new FakeDeepgramStt.Utterance(fake.utterancesFinalised.get(), speechStart / RATE, hz));
            utteranceWords = utteranceText.isBlank() ? List.of() : List.of(utteranceText.strip().split("\\s+"));
            bareWords = utteranceWords.stream().map(w -> w.toLowerCase().replaceAll("[^\\p{L}\\p{N}']", "")).toList();
        }
        return utteranceWords;
    }

    /**
     * Sends a Results message for the utterance's words {@code [from, to)}, spread evenly over the
     * audio {@code [wordsFrom, wordsTo)}, covering the audio since the last final up to {@code end}.
     */
    private void results(int from, int to, boolean isFinal, boolean speechFinal, boolean fromFinalize, long end,
                         long wordsFrom, long wordsTo) {
        long start = finalisedUntil;
        var words = utteranceWords.subList(from, to);
        var message = JSON.createObjectNode().put("type", "Results");
        message.putArray("channel_index").add(0).add(1);
        message.put("duration", (end - start) / RATE).put("start", start / RATE)
                .put("is_final", isFinal).put("speech_final", speechFinal).put("from_finalize", fromFinalize);
        var alternative = message.putObject("channel").putArray("alternatives").addObject();
        alternative.put("transcript", String.join(" ", words)).put("confidence", words.isEmpty() ? 0 : 0.98);
        var wordArray = alternative.putArray("words");
        double span = words.isEmpty() ? 0 : (wordsTo - wordsFrom) / RATE / words.size();
        for (int i = 0; i < words.size(); i++) {
            double wordStart = wordsFrom / RATE + i * span;
            wordArray.addObject().put("word", bareWords.get(from + i))
                    .put("start", wordStart).put("end", wordStart + span).put("confidence", 0.98)
                    .put("punctuated_word", words.get(i));
        }
        message.putObject("metadata").put("request_id", "fake-request").put("model_uuid", "fake-model");
        if (isFinal) {
            finalisedUntil = end;
        }
        send(message);
    }

    private void send(ObjectNode message) {
        socket.send(message);
    }
}
