package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dialtone.audio.MuLaw;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The plumbing that both of {@link FakeDeepgramStt}'s listen protocols share on one socket: the
 * read loop (audio recorded, cut into 20 ms frames, the drop and mute faults), a sender that applies
 * the fake's latency, the close after CloseStream, and the idle timeout (1011, as Deepgram's
 * NET-0001). The protocol decides what to say: {@link Protocol}. The reader thread calls it.
 */
final class FakeListenSocket {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int FRAME = 160;
    static final double RATE = 8000.0;
    private static final Object CLOSE = new Object();

    /** One listen protocol's reactions, on the socket's reader thread. */
    interface Protocol {
        /** A text message from the client, with its {@code type}. */
        void control(String type, JsonNode message);

        /** The next 20 ms of the client's audio: louder than the fake's energy threshold, and its zero crossings. */
        void frame(boolean voiced, int crossings);
    }

    private final FakeDeepgramStt fake;
    private final FakeDeepgramStt.Connection connection;
    private final FakeServerWebSocket socket;
    private final BlockingQueue<Object[]> outbox = new LinkedBlockingQueue<>();
    private final byte[] pending = new byte[FRAME];
    private int pendingLength;
    /** The last decoded sample, so that crossings at frame boundaries count too. */
    private short previousSample;
    /** Audio bytes received on this socket. */
    private long received;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile boolean ended;
    /** The close code to send once the queue is drained, 0 for none. */
    private volatile int closeWith;
    /** Reader thread only: the socket went dead on purpose (see muteAfterAudioBytes). */
    private boolean muted;

    FakeListenSocket(FakeDeepgramStt fake, FakeDeepgramStt.Connection connection, FakeServerWebSocket socket) {
        this.fake = fake;
        this.connection = connection;
        this.socket = socket;
    }

    void run(Protocol protocol) {
        var sender = Thread.ofVirtual().name("fake-deepgram-send").start(this::sendLoop);
        var watchdog = Thread.ofVirtual().name("fake-deepgram-idle").start(this::watchIdle);
        try {
            FakeServerWebSocket.Message message;
            while (!ended && (message = socket.read()) != null) {
                lastActivityNanos = System.nanoTime();
                if (message.isText()) {
                    control(protocol, message.text());
                } else {
                    audio(protocol, message.binary());
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

    private void control(Protocol protocol, String text) {
        if (muted) {
            return;
        }
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (IOException e) {
            message = JSON.createObjectNode();
        }
        var type = message.path("type").asText("?");
        connection.controls.add(type);
        protocol.control(type, message);
    }

    private void audio(Protocol protocol, byte[] data) {
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
                analyse(protocol);
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

    private void analyse(Protocol protocol) {
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
        protocol.frame(Math.sqrt(energy / samples.length) > fake.energyThreshold, crossings);
    }

    /** Sends {@code message} after the fake's latency, in order. */
    void send(ObjectNode message) {
        outbox.add(new Object[] {System.nanoTime() + fake.latency.toNanos(), message.toString()});
    }

    /** Stops reading, and closes with {@code code} once what was queued has been sent. */
    void closeAfterSent(int code) {
        connection.closeCode = code;
        closeWith = code;
        outbox.add(new Object[] {System.nanoTime() + fake.latency.toNanos(), CLOSE});
        ended = true;
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
                    if (closeWith > 0) {
                        socket.close(closeWith, "");
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
