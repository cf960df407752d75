package dev.dialtone.fakes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dialtone.audio.Frames;

/**
 * Twilio's side of one Media Stream. Outbound: connected, start, media at real 20 ms pacing,
 * dtmf, stop, or any raw text. Inbound: it behaves like Twilio's playback buffer: queued audio
 * "plays" in real time, a mark is echoed when playback reaches it, {@code clear} empties the
 * queue and echoes the pending marks at once. It records what it heard, and when.
 */
public final class FakeCall implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A message the server sent, with the time (System.nanoTime) it arrived; media carries only its event. */
    public record Received(long atNanos, JsonNode message) {
        public String event() {
            return message.path("event").asText();
        }
    }

    /** 20 ms (or less) of server audio as it played, with its play time. */
    public record Heard(long atNanos, byte[] audio) {
    }

    private final FakeTwilio twilio;
    private final String callSid;
    private final String streamSid;
    private final String accountSid;
    private final FakeTwilio.TwimlAnswer twiml;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicLong sequence = new AtomicLong();
    private final List<Received> received = new ArrayList<>(); // guarded by itself
    private final CountDownLatch closed = new CountDownLatch(1);
    private final PlaybackBuffer playback;
    private volatile io.helidon.websocket.WsSession socket;
    private volatile int closeStatus = -1;
    private long mediaChunks; // owned by the sending thread
    private volatile long streamStartNanos;
    private volatile long lastAudioSentNanos;

    private FakeCall(FakeTwilio twilio, String callSid, String streamSid, String accountSid, FakeTwilio.TwimlAnswer twiml) {
        this.twilio = twilio;
        this.callSid = callSid;
        this.streamSid = streamSid;
        this.accountSid = accountSid;
        this.twiml = twiml;
        this.playback = new PlaybackBuffer(this::echoMark);
    }

    static FakeCall connect(FakeTwilio twilio, URI uri, String signature, String callSid, String streamSid,
                            String accountSid, FakeTwilio.TwimlAnswer twiml) throws IOException {
        var call = new FakeCall(twilio, callSid, streamSid, accountSid, twiml);
        var opened = new java.util.concurrent.CompletableFuture<io.helidon.websocket.WsSession>();
        try {
            twilio.streamClient(signature).connect(uri, call.new Listener(opened));
            call.socket = opened.get(10, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            throw new IOException("stream upgrade refused: " + e.getMessage(), e);
        } catch (ExecutionException | InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IOException("stream upgrade did not complete", e);
        }
        return call;
    }

    /** Sends connected and start (with the TwiML's parameters), as Twilio does on answer. */
    public void begin() {
        sendRaw("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
        var msg = message("start");
        var start = msg.putObject("start");
        start.put("accountSid", accountSid).put("streamSid", streamSid).put("callSid", callSid);
        start.putArray("tracks").add("inbound");
        var params = start.putObject("customParameters");
        twiml.parameters().forEach(params::put);
        start.putObject("mediaFormat").put("encoding", "audio/x-mulaw").put("sampleRate", 8000).put("channels", 1);
        streamStartNanos = System.nanoTime();
        send(msg);
        Thread.ofVirtual().start(() -> twilio.streamStatus(twiml, callSid, streamSid, "stream-started"));
    }

    public String callSid() {
        return callSid;
    }

    public String streamSid() {
        return streamSid;
    }

    public FakeTwilio.TwimlAnswer twiml() {
        return twiml;
    }

    /** Streams caller audio in 20 ms media messages at real-time pacing; returns when all is sent. */
    public void sendAudio(byte[] mulaw) {
        long next = System.nanoTime();
        for (int at = 0; at < mulaw.length; at += Frames.FRAME_BYTES) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
            var frame = java.util.Arrays.copyOfRange(mulaw, at, Math.min(mulaw.length, at + Frames.FRAME_BYTES));
            sendMedia(frame);
            next += TimeUnit.MILLISECONDS.toNanos(Frames.FRAME_MILLIS);
        }
    }

    /** Sends one media message now, without pacing. */
    public void sendMedia(byte[] frame) {
        long chunk = ++mediaChunks;
        // built as text: 50 of these a second per call, and the benchmark runs hundreds of calls
        sendRaw("{\"event\":\"media\",\"sequenceNumber\":\"" + sequence.incrementAndGet() + "\",\"streamSid\":\""
                + streamSid + "\",\"media\":{\"track\":\"inbound\",\"chunk\":\"" + chunk + "\",\"timestamp\":\""
                + (chunk - 1) * Frames.FRAME_MILLIS + "\",\"payload\":\"" + Base64.getEncoder().encodeToString(frame) + "\"}}");
        lastAudioSentNanos = System.nanoTime();
    }

    /** A typed caller turn (the softphone's text box; not part of Twilio's protocol). */
    public void sendText(String text) {
        var msg = message("text");
        msg.put("text", text);
        send(msg);
    }

    /** A key press. */
    public void dtmf(String digit) {
        var msg = message("dtmf");
        msg.putObject("dtmf").put("track", "inbound_track").put("digit", digit);
        send(msg);
    }

    /** The caller hangs up: sends stop and waits for the server to close the socket. */
    public void stop() {
        var msg = message("stop");
        msg.putObject("stop").put("accountSid", accountSid).put("callSid", callSid);
        send(msg);
        awaitClosed(Duration.ofSeconds(5));
        twilio.streamStatus(twiml, callSid, streamSid, "stream-stopped");
    }

    /** Sends any text frame as is (for malformed-input tests). */
    public void sendRaw(String text) {
        sendLock.lock();
        try {
            if (isClosed()) {
                throw new IllegalStateException("socket closed");
            }
            socket.send(text, true);
        } catch (Exception e) {
            throw new IllegalStateException("send failed: " + e.getMessage(), e);
        } finally {
            sendLock.unlock();
        }
    }

    /** Waits until the server closes the socket; returns whether it did. */
    public boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** The close status the server sent, or -1 while open. */
    public int closeStatus() {
        return closeStatus;
    }

    /** Waits until the mark named {@code name} is echoed (played or cleared). */
    public boolean awaitMark(String name, Duration timeout) {
        return playback.awaitMark(name, timeout);
    }

    /** Every message the server sent, in order. */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> received(String event) {
        return received().stream().filter(r -> r.event().equals(event)).toList();
    }

    /** Audio that played, in order, with play times. */
    public List<Heard> heard() {
        return playback.heard();
    }

    /** All audio that played, concatenated. */
    public byte[] heardAudio() {
        var out = new ByteArrayOutputStream();
        heard().forEach(h -> out.writeBytes(h.audio()));
        return out.toByteArray();
    }

    /** Waits until audio that started playing after {@code nanos} has been heard. */
    public boolean awaitHeardAfter(long nanos, Duration timeout) {
        return playback.awaitHeardAfter(nanos, timeout);
    }

    /** Waits until the agent has been quiet (nothing played) for {@code quiet}, after saying something. */
    public boolean awaitQuiet(Duration quiet, Duration timeout) {
        try {
            return playback.awaitQuiet(quiet, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The first audio heard after {@code nanos}, if any. */
    public java.util.Optional<Heard> firstHeardAfter(long nanos) {
        return heard().stream().filter(h -> h.atNanos() > nanos).findFirst();
    }

    /** Marks echoed back to the server, in order. */
    public List<String> echoedMarks() {
        return playback.echoed();
    }

    /** When the stream started (System.nanoTime). */
    public long streamStartNanos() {
        return streamStartNanos;
    }

    /** When the last caller audio frame was sent (System.nanoTime). */
    public long lastAudioSentNanos() {
        return lastAudioSentNanos;
    }

    @Override
    public void close() {
        playback.close();
        var ws = socket;
        if (ws != null && !isClosed()) {
            ws.terminate();
        }
    }

    private void echoMark(String name) {
        var msg = message("mark");
        msg.putObject("mark").put("name", name);
        try {
            send(msg);
        } catch (IllegalStateException e) {
            // socket gone: Twilio would not echo either
        }
    }

    private ObjectNode message(String event) {
        var msg = JSON.createObjectNode();
        msg.put("event", event).put("sequenceNumber", Long.toString(sequence.incrementAndGet()))
           .put("streamSid", streamSid);
        return msg;
    }

    private void send(ObjectNode msg) {
        sendRaw(msg.toString());
    }

    private static final JsonNode MEDIA = JSON.createObjectNode().put("event", "media");

    private void onServerMessage(String text) {
        long at = System.nanoTime();
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("server sent invalid JSON: " + text, e);
        }
        boolean media = msg.path("event").asText().equals("media");
        synchronized (received) {
            // media is kept by arrival time only: its audio lives in the playback; a tree per 20 ms
            // frame would keep megabytes alive per call and slow the benchmark's garbage collection
            received.add(new Received(at, media ? MEDIA : msg));
        }
        switch (msg.path("event").asText()) {
            case "media" -> playback.enqueue(Base64.getDecoder().decode(msg.path("media").path("payload").asText()), at);
            case "mark" -> playback.enqueueMark(msg.path("mark").path("name").asText());
            case "clear" -> playback.clear();
            default -> {
            }
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener implements io.helidon.websocket.WsListener {
        private final StringBuilder text = new StringBuilder();
        private final java.util.concurrent.CompletableFuture<io.helidon.websocket.WsSession> opened;

        Listener(java.util.concurrent.CompletableFuture<io.helidon.websocket.WsSession> opened) {
            this.opened = opened;
        }

        @Override
        public void onOpen(io.helidon.websocket.WsSession session) {
            opened.complete(session);
        }

        @Override
        public void onMessage(io.helidon.websocket.WsSession session, String data, boolean last) {
            text.append(data);
            if (last) {
                var message = text.toString();
                text.setLength(0);
                onServerMessage(message);
            }
        }

        @Override
        public void onClose(io.helidon.websocket.WsSession session, int status, String reason) {
            closeStatus = status;
            closed.countDown();
            playback.close();
        }

        @Override
        public void onError(io.helidon.websocket.WsSession session, Throwable error) {
            opened.completeExceptionally(error);
            closed.countDown();
            playback.close();
        }
    }
}
