package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One WebSocket of {@link FakeDeepgramTts}. The reader thread takes messages; a generator thread
 * sends everything (audio, Flushed, Cleared) so replies keep Deepgram's order. A Clear bumps the
 * epoch at once, which stops audio of earlier flushes before its next chunk.
 */
final class FakeDeepgramTtsSocket {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Job(String kind, String text, int epoch) {
    }

    private final FakeDeepgramTts.Socket record;
    private final FakeServerWebSocket ws;
    private final FakeTtsServer voice;
    private final BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final AtomicInteger epoch = new AtomicInteger();
    /** Reader thread only: text received since the last Flush. */
    private final StringBuilder buffered = new StringBuilder();
    /** Generator thread only. */
    private int sequence;
    private int chunksLeftBeforeDrop;

    FakeDeepgramTtsSocket(FakeDeepgramTts.Socket record, FakeServerWebSocket ws, FakeTtsServer voice, int dropAfterChunks) {
        this.record = record;
        this.ws = ws;
        this.voice = voice;
        this.chunksLeftBeforeDrop = dropAfterChunks;
    }

    void run() {
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
                    case "Flush" -> {
                        jobs.add(new Job("flush", buffered.toString(), epoch.get()));
                        buffered.setLength(0);
                    }
                    case "Clear" -> {
                        buffered.setLength(0);
                        jobs.add(new Job("clear", "", epoch.incrementAndGet()));
                    }
                    case "Close" -> {
                        jobs.add(new Job("close", "", epoch.get()));
                        return;
                    }
                    default -> ws.sendText("{\"type\":\"Warning\",\"description\":\"unknown message type\",\"code\":\"UNKNOWN_MESSAGE\"}");
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            jobs.add(new Job("stop", "", -1));
            try {
                generator.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void generate() {
        try {
            while (true) {
                var job = jobs.take();
                switch (job.kind()) {
                    case "flush" -> {
                        voice.stream(job.text(), () -> job.epoch() != epoch.get(), -1, this::sendChunk);
                        if (job.epoch() == epoch.get()) {
                            ws.sendText("{\"type\":\"Flushed\",\"sequence_id\":" + sequence++ + "}");
                        }
                    }
                    case "clear" -> ws.sendText("{\"type\":\"Cleared\",\"sequence_id\":" + sequence++ + "}");
                    case "close" -> {
                        ws.close(1000, "");
                        return;
                    }
                    default -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException | IOException e) {
            // the socket is gone
        }
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
