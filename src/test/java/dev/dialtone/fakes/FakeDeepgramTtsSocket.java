package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One WebSocket of {@link FakeDeepgramTts}. The reader thread takes messages; a generator thread
 * sends everything (Metadata first, then audio, Flushed, Cleared, Warning) so replies keep
 * Deepgram's order. A Clear bumps the epoch at once, which stops audio of earlier flushes before
 * its next chunk.
 *
 * <p>Flush budget: a Flush beyond {@code flushLimit} within {@code flushWindow} (20 per 60 s, over
 * any window) is answered with a {@code Warning} and not carried out; its text stays buffered, as
 * Deepgram's "Flush" page describes.
 */
final class FakeDeepgramTtsSocket {
    private static final ObjectMapper JSON = new ObjectMapper();

    private sealed interface Job {
    }

    /** @param warning a Warning to send after the first chunk of its audio, or null */
    private record Flush(String text, int epoch, String warning) implements Job {
    }

    private record Clear() implements Job {
    }

    private record Send(String message) implements Job {
    }

    private record Close() implements Job {
    }

    private record Stop() implements Job {
    }

    private final FakeDeepgramTts.Socket record;
    private final FakeServerWebSocket ws;
    private final FakeTtsServer voice;
    private final FakeDeepgramTts.Settings settings;
    private final BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final AtomicInteger epoch = new AtomicInteger();
    /** Reader thread only: text received since the last Flush carried out. */
    private final StringBuilder buffered = new StringBuilder();
    /** Reader thread only: when the Flushes carried out were received (System.nanoTime), oldest first. */
    private final ArrayDeque<Long> flushes = new ArrayDeque<>();
    /** Generator thread only. */
    private int sequence;
    private int chunksLeftBeforeDrop;
    /** Generator thread only: flushes a Clear cut short whose Flushed was not sent. */
    private int cutShort;

    FakeDeepgramTtsSocket(FakeDeepgramTts.Socket record, FakeServerWebSocket ws, FakeTtsServer voice,
                          FakeDeepgramTts.Settings settings, int dropAfterChunks) {
        this.record = record;
        this.ws = ws;
        this.voice = voice;
        this.settings = settings;
        this.chunksLeftBeforeDrop = dropAfterChunks;
    }

    void run() {
        jobs.add(new Send(metadata()));
        var generator = Thread.ofVirtual().name("fake-aura-generate").start(this::generate);
        try {
            FakeServerWebSocket.Message message;
            while ((message = ws.read()) != null) {
                if (!message.isText()) {
                    continue; // Deepgram ignores binary input on this socket
                }
                var node = JSON.readTree(message.text());
                record.messages.add(node);
                switch (node.path("type").asText()) {
                    case "Speak" -> buffered.append(node.path("text").asText());
                    case "Flush" -> flush();
                    case "Clear" -> {
                        buffered.setLength(0);
                        epoch.incrementAndGet();
                        jobs.add(new Clear());
                    }
                    case "Close" -> {
                        jobs.add(new Close());
                        return;
                    }
                    default -> warn("UNKNOWN_MESSAGE_TYPE", "Unknown message type: " + node.path("type").asText());
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            jobs.add(new Stop());
            try {
                generator.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String metadata() {
        var model = record.query("model");
        return JSON.createObjectNode().put("type", "Metadata").put("request_id", UUID.randomUUID().toString())
                .put("model_name", model == null ? "aura-asteria-en" : model).put("model_version", "2024-11-05.0")
                .put("model_uuid", UUID.nameUUIDFromBytes(String.valueOf(model).getBytes()).toString()).toString();
    }

    private void flush() {
        long now = System.nanoTime();
        while (!flushes.isEmpty() && now - flushes.peekFirst() >= settings.flushWindow().toNanos()) {
            flushes.removeFirst();
        }
        if (flushes.size() >= settings.flushLimit()) {
            // Deepgram's warn_code for this is not documented; the shape is {type, warn_code, warn_msg}.
            warn("FLUSH_LIMIT_EXCEEDED", "Exceeded the maximum number of Flush messages (" + settings.flushLimit()
                    + " per " + settings.flushWindow().toSeconds() + " seconds); this Flush was not processed.");
            return;
        }
        flushes.addLast(now);
        var requested = settings.warnDuringNextFlush.getAndSet(null);
        jobs.add(new Flush(buffered.toString(), epoch.get(), requested == null ? null : warning(requested[0], requested[1])));
        buffered.setLength(0);
    }

    private void warn(String code, String message) {
        jobs.add(new Send(warning(code, message)));
    }

    private String warning(String code, String message) {
        var warning = JSON.createObjectNode().put("type", "Warning").put("warn_code", code).put("warn_msg", message);
        record.warningsSent.add(warning);
        return warning.toString();
    }

    private void generate() {
        try {
            while (true) {
                switch (jobs.take()) {
                    case Flush job -> {
                        boolean[] first = {true};
                        voice.stream(job.text(), () -> job.epoch() != epoch.get(), -1, chunk -> {
                            sendChunk(chunk);
                            if (first[0] && job.warning() != null) {
                                sendText(job.warning()); // between two chunks of one segment's audio
                            }
                            first[0] = false;
                        });
                        if (job.epoch() == epoch.get()) {
                            sendText("{\"type\":\"Flushed\",\"sequence_id\":" + sequence++ + "}");
                        } else {
                            cutShort++;
                        }
                    }
                    case Clear c -> {
                        sendText("{\"type\":\"Cleared\",\"sequence_id\":" + sequence++ + "}");
                        for (; cutShort > 0; cutShort--) {
                            if (settings.flushedAfterCleared()) {
                                sendText("{\"type\":\"Flushed\",\"sequence_id\":" + sequence++ + "}");
                            }
                        }
                    }
                    case Send send -> sendText(send.message());
                    case Close c -> {
                        ws.close(1000, "");
                        return;
                    }
                    case Stop s -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException | IOException e) {
            // the socket is gone
        }
    }

    /** Sends one JSON message and records its type. */
    private void sendText(String json) throws IOException {
        record.sentTypes.add(JSON.readTree(json).path("type").asText());
        ws.sendText(json);
    }

    private void sendChunk(byte[] chunk) throws IOException {
        if (chunksLeftBeforeDrop == 0 || record.dropAfterChunks.getAndDecrement() == 0) {
            ws.drop();
            throw new IOException("dropped by the test");
        }
        chunksLeftBeforeDrop--;
        ws.sendBinary(chunk);
    }
}
