package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One Deepgram Flux socket ({@code /v2/listen}) of {@link FakeDeepgramStt}, on the audio clock.
 *
 * <p>Speech is found by energy, as for Nova. Each voiced stretch (a segment, ended by 100 ms of
 * silence) takes the next scripted text; its words appear one per {@code updateEvery} of voiced
 * audio, and all of them once it ends. A turn is the segments until the end of turn: the fake's
 * end-of-turn confidence climbs linearly over {@code eotRamp} of silence after the last voiced frame
 * (its stand-in for the model), so with an eager threshold EagerEndOfTurn comes first, then either
 * EndOfTurn (confidence reaches {@code eot_threshold}, or the silence reaches {@code eot_timeout_ms})
 * or, if the caller speaks again, TurnResumed and more words. The rules of Deepgram's state machine
 * hold: eager events only with {@code eager_eot_threshold}, never with an empty transcript; the
 * EndOfTurn transcript equals the EagerEndOfTurn's; {@code turn_index} grows after each EndOfTurn;
 * an Update every {@code updateEvery} of audio in which nothing else was sent. {@code Configure}
 * changes the thresholds from that point of the audio on (ConfigureSuccess), or is refused
 * (ConfigureFailure) when a value is out of Deepgram's range.
 */
final class FakeFluxStream implements FakeListenSocket.Protocol {
    private static final double RATE = FakeListenSocket.RATE;
    private static final int FRAME = FakeListenSocket.FRAME;
    /** Silence that ends a voiced stretch (not the turn). */
    private static final int SEGMENT_GAP = 800;

    private enum State { IDLE, SPEAKING, AWAITING_END }

    private final FakeDeepgramStt fake;
    private final FakeListenSocket socket;
    private double eotThreshold;
    private final double eagerThreshold; // NaN: eager events off
    private int eotTimeoutMs;

    private int sequence;
    private long position;
    private long received;
    private State state = State.IDLE;
    private int turnIndex;
    private long turnStart;
    private long lastVoiced;
    private long lastSent;
    /** The turn's words from segments that ended. */
    private final List<String> turnWords = new ArrayList<>();
    private boolean inSegment;
    private long segmentVoiced;
    private long zeroCrossings;
    private List<String> segmentWords;

    FakeFluxStream(FakeDeepgramStt fake, FakeDeepgramStt.Connection connection, FakeListenSocket socket) {
        this.fake = fake;
        this.socket = socket;
        this.eotThreshold = number(connection.query("eot_threshold"), 0.7);
        this.eagerThreshold = number(connection.query("eager_eot_threshold"), Double.NaN);
        this.eotTimeoutMs = (int) number(connection.query("eot_timeout_ms"), 5000);
        send(message("Connected").put("request_id", "fake-flux-request"));
    }

    private static double number(String text, double otherwise) {
        return text == null ? otherwise : Double.parseDouble(text);
    }

    @Override
    public void control(String type, JsonNode message) {
        switch (type) {
            case "Configure" -> configure(message);
            case "ForceEndTurn" -> {
                if (state != State.IDLE) {
                    closeSegment();
                    endTurn();
                }
            }
            case "CloseStream" -> {
                if (state != State.IDLE) {
                    closeSegment();
                    endTurn();
                }
                socket.closeAfterSent(1000);
            }
            default -> {
                // KeepAlive only resets the idle timer, done by the socket.
            }
        }
    }

    private void configure(JsonNode message) {
        var thresholds = message.path("thresholds");
        double eot = thresholds.path("eot_threshold").asDouble(eotThreshold);
        int timeout = thresholds.path("eot_timeout_ms").asInt(eotTimeoutMs);
        if (eot < 0.5 || eot > 1.0 || timeout < 500 || timeout > 60000) {
            send(message("ConfigureFailure").put("error_code", "INVALID_CONFIGURATION")
                    .put("description", "eot_threshold must be 0.5-1.0 and eot_timeout_ms 500-60000"));
            return;
        }
        eotThreshold = eot;
        eotTimeoutMs = timeout;
        var success = message("ConfigureSuccess");
        success.putObject("thresholds").put("eot_threshold", eot).put("eot_timeout_ms", timeout);
        send(success);
    }

    @Override
    public void frame(boolean voiced, int crossings) {
        long frameStart = position;
        position += FRAME;
        received += FRAME;
        if (voiced) {
            voiced(frameStart, crossings);
        } else {
            silent();
        }
        if (position - lastSent >= fake.updateEvery.toMillis() * 8) {
            turnInfo("Update", 0);
        }
        long fatalAt = fake.fatalAfterBytes.get();
        if (fatalAt >= 0 && received >= fatalAt && fake.fatalAfterBytes.compareAndSet(fatalAt, -1)) {
            send(message("Error").put("code", fake.fatalCode).put("description", "the fake failed on purpose"));
            socket.closeAfterSent(1011);
        }
    }

    private void voiced(long frameStart, int crossings) {
        switch (state) {
            case IDLE -> {
                state = State.SPEAKING;
                turnStart = frameStart;
                turnWords.clear();
                lastVoiced = position;
                turnInfo("StartOfTurn", 0);
            }
            case AWAITING_END -> {
                state = State.SPEAKING;
                turnInfo("TurnResumed", 0);
            }
            case SPEAKING -> {
            }
        }
        if (!inSegment) {
            inSegment = true;
            segmentVoiced = 0;
            zeroCrossings = 0;
            segmentWords = null;
        }
        lastVoiced = position;
        segmentVoiced += FRAME;
        zeroCrossings += crossings;
    }

    private void silent() {
        if (state == State.IDLE) {
            return;
        }
        long silence = position - lastVoiced;
        if (inSegment && silence >= SEGMENT_GAP) {
            closeSegment();
        }
        if (inSegment) {
            return;
        }
        double confidence = confidence();
        if (state == State.SPEAKING && !Double.isNaN(eagerThreshold) && confidence >= eagerThreshold
                && !transcript().isEmpty() && eagerThreshold < eotThreshold) {
            state = State.AWAITING_END;
            turnInfo("EagerEndOfTurn", confidence);
        }
        if (confidence >= eotThreshold || silence >= eotTimeoutMs * 8L) {
            endTurn();
        }
    }

    private double confidence() {
        return Math.min(1.0, (position - lastVoiced) / (fake.eotRamp.toMillis() * 8.0));
    }

    private void endTurn() {
        if (state == State.SPEAKING && !Double.isNaN(eagerThreshold) && !transcript().isEmpty()) {
            turnInfo("EagerEndOfTurn", confidence()); // the EndOfTurn's transcript is always an eager one's
        }
        turnInfo("EndOfTurn", confidence());
        state = State.IDLE;
        turnIndex++;
        turnWords.clear();
        turnStart = position;
    }

    /** The voiced stretch ended: all of its words are heard. */
    private void closeSegment() {
        if (!inSegment) {
            return;
        }
        turnWords.addAll(segmentWords());
        inSegment = false;
        fake.utterancesFinalised.incrementAndGet();
    }

    private List<String> segmentWords() {
        if (segmentWords == null) {
            double hz = segmentVoiced == 0 ? 0 : zeroCrossings * RATE / (2.0 * segmentVoiced);
            var text = fake.script.apply(new FakeDeepgramStt.Utterance(fake.utterancesFinalised.get(),
                    (lastVoiced - segmentVoiced) / RATE, hz));
            segmentWords = text.isBlank() ? List.of() : List.of(text.strip().split("\\s+"));
        }
        return segmentWords;
    }

    /** The turn's words heard so far: whole ended segments, and the open one's words one per update period. */
    private List<String> words() {
        var words = new ArrayList<>(turnWords);
        if (inSegment) {
            var open = segmentWords();
            long period = Math.max(1, fake.updateEvery.toMillis() * 8);
            words.addAll(open.subList(0, (int) Math.min(open.size(), segmentVoiced / period)));
        }
        return words;
    }

    private String transcript() {
        return String.join(" ", words());
    }

    private void turnInfo(String event, double confidence) {
        var words = state == State.IDLE && !event.equals("EndOfTurn") ? List.<String>of() : words();
        var message = message("TurnInfo").put("request_id", "fake-flux-request").put("event", event)
                .put("turn_index", turnIndex).put("audio_window_start", turnStart / RATE)
                .put("audio_window_end", position / RATE).put("transcript", String.join(" ", words));
        var array = message.putArray("words");
        for (var word : words) {
            array.addObject().put("word", word).put("confidence", 0.97);
        }
        message.put("end_of_turn_confidence", confidence);
        send(message);
    }

    private ObjectNode message(String type) {
        return FakeListenSocket.JSON.createObjectNode().put("type", type).put("sequence_id", sequence++);
    }

    private void send(ObjectNode message) {
        lastSent = position;
        socket.send(message);
    }
}
