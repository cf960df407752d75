package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One input-streaming WebSocket of {@link FakeElevenLabs}. The connection thread reads and answers
 * the client's messages; a watchdog thread closes the socket once no text came for the inactivity
 * timeout. Whatever ends the stream early (the timeout, bad input) is reported as the real service
 * does: a JSON message {@code {"message","error","code"}}, then a close frame with code 1008 and
 * the message as its reason, cut to the 123 bytes a close frame can carry. Text that arrives after
 * that is recorded and ignored, as a server that has sent its close ignores data.
 */
final class FakeElevenLabsSocket {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CLOSE_REASON = 123;

    private final FakeElevenLabs.Socket record;
    private final FakeServerWebSocket ws;
    private final FakeTtsServer voice;
    private final Duration inactivityTimeout;
    private final boolean expireAtFirstText;
    private final boolean keyRefused;
    /** Guards {@link #lastInput} and {@link #ended} between the reader and the watchdog. */
    private final ReentrantLock lock = new ReentrantLock();
    private long lastInput = System.nanoTime();
    /** While a message is being answered (audio streamed), the timer does not run out. */
    private boolean busy;
    private boolean ended;
    /** Reader thread only. */
    private final StringBuilder buffered = new StringBuilder();
    private int chunksLeftBeforeDrop;

    /**
     * @param expireAtFirstText the inactivity timer fires just as the first text after the opening
     *                          message arrives: the race of a client using a socket that the service
     *                          is closing at that moment
     * @param keyRefused        the upgrade carried a wrong key: the first message is answered with
     *                          the service's invalid-key error
     */
    FakeElevenLabsSocket(FakeElevenLabs.Socket record, FakeServerWebSocket ws, FakeTtsServer voice, Duration inactivityTimeout,
                         boolean expireAtFirstText, boolean keyRefused, int dropAfterChunks) {
        this.keyRefused = keyRefused;
        this.record = record;
        this.ws = ws;
        this.voice = voice;
        this.inactivityTimeout = inactivityTimeout;
        this.expireAtFirstText = expireAtFirstText;
        this.chunksLeftBeforeDrop = dropAfterChunks;
    }

    void run() throws IOException {
        var watchdog = Thread.ofVirtual().name("fake-elevenlabs-idle").start(this::watchInactivity);
        try {
            FakeServerWebSocket.Message message;
            while ((message = ws.read()) != null) {
                if (!message.isText()) {
                    continue;
                }
                var node = accept(message.text());
                if (node != null && !serve(node)) {
                    return;
                }
            }
        } finally {
            watchdog.interrupt();
        }
    }

    /**
     * Records the message and restarts the inactivity timer; null if the stream has ended, or ends
     * now because the message is refused.
     */
    private JsonNode accept(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            node = null;
        }
        record.messages.add(node != null ? node : JSON.getNodeFactory().textNode(text));
        lock.lock();
        try {
            if (ended) {
                return null;
            }
            lastInput = System.nanoTime();
            busy = true;
        } finally {
            lock.unlock();
        }
        boolean opening = record.messages.size() == 1;
        var refusal = refusal(node, opening);
        if (refusal != null) {
            end(refusal);
            return null;
        }
        if (expireAtFirstText && !opening) {
            end(inactivityError());
            return null;
        }
        return node;
    }

    /** The error the service answers this message with, or null if it takes it. */
    private JsonNode refusal(JsonNode node, boolean opening) {
        if (keyRefused) {
            // The wording on the socket is not documented (HTTP says "Invalid API key"): the fake
            // writes "Key" so that a client cannot depend on the case.
            return error("Invalid API Key", "invalid_api_key");
        }
        if (node == null || !node.isObject() || !node.path("text").isTextual()) {
            return error("Invalid message received: expected a JSON object with a text field", "invalid_request");
        }
        if (opening) {
            var problem = FakeElevenLabs.voiceSettingsProblem(node.path("voice_settings"));
            if (problem.isPresent()) {
                return error("Invalid voice_settings: " + problem.get(), "invalid_request");
            }
        }
        return null;
    }

    /** Answers one message; false once the stream is over. */
    private boolean serve(JsonNode node) throws IOException {
        var text = node.path("text").asText();
        boolean opening = record.messages.size() == 1;
        if (!opening) {
            buffered.append(text);
        }
        boolean end = !opening && text.isEmpty();
        if ((node.path("flush").asBoolean() || end) && !buffered.toString().isBlank()) {
            var spoken = buffered.toString();
            buffered.setLength(0);
            voice.stream(spoken, () -> false, -1, chunk -> {
                if (chunksLeftBeforeDrop == 0) {
                    ws.drop();
                    throw new IOException("dropped by the test");
                }
                chunksLeftBeforeDrop--;
                ws.sendText(audioMessage(chunk, spoken));
            });
        }
        if (end) {
            ws.sendText("{\"audio\":null,\"isFinal\":true,\"normalizedAlignment\":null,\"alignment\":null}");
            ws.close(1000, "");
            return false;
        }
        lock.lock();
        try {
            lastInput = System.nanoTime(); // the timer counts from the last input it has dealt with
            busy = false;
        } finally {
            lock.unlock();
        }
        return true;
    }

    private void watchInactivity() {
        try {
            while (true) {
                lock.lock();
                long quiet;
                try {
                    if (ended) {
                        return;
                    }
                    quiet = busy ? 0 : System.nanoTime() - lastInput;
                } finally {
                    lock.unlock();
                }
                if (quiet >= inactivityTimeout.toNanos()) {
                    end(inactivityError());
                    return;
                }
                Thread.sleep(Duration.ofNanos(inactivityTimeout.toNanos() - quiet));
            }
        } catch (InterruptedException e) {
            // the socket ended
        }
    }

    /** The real service's words (its close reason is the same text, cut short by the frame limit). */
    private JsonNode inactivityError() {
        var seconds = inactivityTimeout.toMillis() / 1000.0;
        return error("Have not received a new text input within the timeout of " + seconds + " seconds. Streaming input"
                + " terminated. Please make sure to either feed the input in the timely manner, or to send the end of"
                + " input text (empty string \"\") when done.", "input_timeout_exceeded");
    }

    static JsonNode error(String message, String error) {
        return JSON.createObjectNode().put("message", message).put("error", error).put("code", 1008);
    }

    /** Sends the error message and closes with 1008, once; the reader then only sees the echo. */
    void end(JsonNode error) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
        } finally {
            lock.unlock();
        }
        record.errorsSent.add(error);
        try {
            ws.sendText(error.toString());
        } catch (IOException e) {
            return; // the client is gone
        }
        record.closeCode = 1008;
        ws.close(1008, closeReason(error.path("message").asText()));
    }

    private static String closeReason(String message) {
        var bytes = message.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_CLOSE_REASON ? message
                : new String(Arrays.copyOf(bytes, MAX_CLOSE_REASON), StandardCharsets.UTF_8).replace("\uFFFD", "");
    }

    private static String audioMessage(byte[] chunk, String text) {
        var message = JSON.createObjectNode().put("audio", Base64.getEncoder().encodeToString(chunk));
        var alignment = message.putObject("normalizedAlignment");
        var chars = alignment.putArray("chars");
        var starts = alignment.putArray("charStartTimesMs");
        var durations = alignment.putArray("charsDurationsMs");
        var letters = new ArrayList<String>();
        text.codePoints().forEach(c -> letters.add(Character.toString(c)));
        for (int i = 0; i < letters.size(); i++) {
            chars.add(letters.get(i));
            starts.add(i * 20);
            durations.add(20);
        }
        return message.toString();
    }
}
