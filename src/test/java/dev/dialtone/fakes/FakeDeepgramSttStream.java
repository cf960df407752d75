package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialtone.audio.MuLaw;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One socket of {@link FakeDeepgramStt}: processes audio 20 ms at a time on the audio clock and
 * decides what to send. The socket's reader thread owns all fields; a sender thread applies the
 * latency; a watchdog enforces the idle timeout.
 */
final class FakeDeepgramSttStream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FRAME = 160;
    private static final double RATE = 8000.0;
    private static final Object CLOSE = new Object();

    private final FakeDeepgramStt fake;
    private final FakeDeepgramStt.Connection connection;
    private final FakeServerWebSocket socket;
    private final BlockingQueue<Object[]> outbox = new LinkedBlockingQueue<>();
    private final int endpointingBytes;
    private final int utteranceEndBytes;
    private final boolean interims;
    private final boolean vadEvents;

    private final byte[] pending = new byte[FRAME];
    private int pendingLength;
    /** Audio clock: bytes processed. */
    private long position;
    /** Audio bytes received on this socket. */
    private long received;
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
    /** The last decoded sample, so that crossings at frame boundaries count too. */
    private short previousSample;
    private long utteranceEndFrom = -1;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean ended;
    /** Reader thread only: the socket went dead on purpose (see muteAfterAudioBytes). */
    private boolean muted;

    FakeDeepgramSttStream(FakeDeepgramStt fake, FakeDeepgramStt.Connection connection, FakeServerWebSocket socket) {
        this.fake = fake;
        this.connection = connection;
        this.socket = socket;
        var endpointing = connection.query("endpointing");
        this.endpointingBytes = endpointing == null ? 80 : endpointing.equals("false") ? -1 : Integer.parseInt(endpointing) * 8;
        var utteranceEnd = connection.query("utterance_end_ms");
        this.utteranceEndBytes = utteranceEnd == null ? -1 : Integer.parseInt(utteranceEnd) * 8;
        this.interims = "true".equals(connection.query("interim_results"));
        this.vadEvents = "true".equals(connection.query("vad_events"));
    }

    void run() {
        var sender = Thread.ofVirtual().name("fake-deepgram-send").start(this::sendLoop);
        var watchdog = Thread.ofVirtual().name("fake-deepgram-idle").start(this::watchIdle);
        try {
            FakeServerWebSocket.Message message;
            while (!ended && (message = socket.read()) != null) {
                lastActivityNanos = System.nanoTime();
                if (message.isText()) {
                    control(message.text());
                } else {
                    audio(message.binary());
                }
            }
        } finally {
            ended = true;
            watchdog.interrupt();
            outbox.add(new Object[] {0L, CLOSE});
            try {
                sender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void control(String text) {
        if (muted) {
            return;
        }
        String type;
        try {
            type = JSON.readTree(text).path("type").asText();
        } catch (IOException e) {
            type = "?";
        }
        connection.controls.add(type);
        switch (type) {
            case "Finalize" -> finaliseNow(true);
            case "CloseStream" -> {
                finaliseNow(false);
                var metadata = JSON.createObjectNode().put("type", "Metadata").put("request_id", "fake-request")
                        .put("duration", position / RATE).put("channels", 1);
                send(metadata);
                connection.closeCode = 1000;
                outbox.add(new Object[] {due(), CLOSE});
                ended = true;
            }
            default -> {
                // KeepAlive only resets the idle timer, done above.
            }
        }
    }

    private void audio(byte[] data) {
        if (fake.keepRecords) {
            synchronized (connection.audio) {
                connection.audio.writeBytes(data);
            }
        }
        if (muted) {
            return;
        }
        for (byte b : data) {
            pending[pendingLength++] = b;
            if (pendingLength == FRAME) {
                frame();
                pendingLength = 0;
            }
        }
        received += data.length;
        long muteAt = fake.muteAfterBytes.get();
        if (muteAt >= 0 && received >= muteAt && fake.muteAfterBytes.compareAndSet(muteAt, -1)) {
            muted = true;
            outbox.clear();
            return;
        }
        long dropAt = fake.dropAfterBytes.get();
        if (dropAt >= 0 && received >= dropAt && fake.dropAfterBytes.compareAndSet(dropAt, -1)) {
            ended = true;
            socket.drop();
        }
    }

    private void frame() {
        var samples = MuLaw.decode(pending);
        double energy = 0;
        int crossings = 0;
        for (short sample : samples) {
            energy += (double) sample * sample;
            if ((previousSample < 0) != (sample < 0)) {
                crossings++;
            }
            previousSample = sample;
        }
        boolean voiced = Math.sqrt(energy / samples.length) > fake.energyThreshold;
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
            voicedSamples += samples.length;
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

    private long due() {
        return System.nanoTime() + fake.latency.toNanos();
    }

    private void send(ObjectNode message) {
        outbox.add(new Object[] {due(), message.toString()});
    }

    private void sendLoop() {
        try {
            while (true) {
                var item = outbox.take();
                long wait = (long) item[0] - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                if (item[1] == CLOSE) {
                    if (connection.closeCode == 1000) {
                        socket.close(1000, "");
                    }
                    return;
                }
                socket.sendText((String) item[1]);
            }
        } catch (InterruptedException | IOException e) {
            // the socket is gone
        }
    }

    private void watchIdle() {
        try {
            while (!ended) {
                long idle = System.nanoTime() - lastActivityNanos;
                long limit = fake.idleTimeout.toNanos();
                if (idle >= limit) {
                    connection.closeCode = 1011;
                    ended = true;
                    socket.close(1011, "Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001");
                    return;
                }
                Thread.sleep(Duration.ofNanos(limit - idle));
            }
        } catch (InterruptedException e) {
            // the socket ended
        }
    }
}
