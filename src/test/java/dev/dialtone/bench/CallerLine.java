package dev.dialtone.bench;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.dialtone.audio.Frames;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;

/**
 * The caller's half of a phone line as Twilio sends it: one 20 ms media message every 20 ms for
 * the whole call, silence unless the caller speaks, even while the agent talks. The server's work
 * per inbound frame is most of its work per call, so the benchmark must send as many as Twilio.
 */
final class CallerLine implements AutoCloseable {
    private static final byte[] SILENCE = FakeAudio.silence(Frames.FRAME_MILLIS);
    private static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(Frames.FRAME_MILLIS);
    /** Later than this behind the 20 ms schedule, the line starts a new schedule instead of a burst. */
    private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** When an utterance's first and last frames were sent (System.nanoTime). */
    record Spoken(long firstNanos, long lastNanos) {
    }

    /** Audio waiting to be sent, and when its frames went out; owned by the sender thread once taken. */
    private static final class Utterance {
        final byte[] audio;
        final CompletableFuture<Spoken> sent = new CompletableFuture<>();
        int offset;
        long firstNanos;

        Utterance(byte[] audio) {
            this.audio = audio;
        }
    }

    private final FakeCall call;
    private final ConcurrentLinkedQueue<Utterance> queue = new ConcurrentLinkedQueue<>();
    private final Thread sender;
    private volatile boolean open = true;

    CallerLine(FakeCall call) {
        this.call = call;
        this.sender = Thread.ofVirtual().name("caller-line-" + call.callSid()).start(this::run);
    }

    /** Says {@code audio} (queued behind anything still being said) and returns once its last frame went out. */
    Spoken speak(byte[] audio, long timeoutMillis) throws InterruptedException, TimeoutException {
        var utterance = new Utterance(audio);
        queue.add(utterance);
        try {
            return utterance.sent.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the line went dead: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private void run() {
        long next = System.nanoTime();
        Utterance speaking = null;
        try {
            while (open) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else if (-wait > MAX_LAG_NANOS) {
                    next = System.nanoTime(); // the driver was starved; Twilio would not burst this much either
                }
                if (speaking == null) {
                    speaking = queue.poll();
                }
                if (speaking == null) {
                    call.sendMedia(SILENCE);
                } else {
                    int end = Math.min(speaking.audio.length, speaking.offset + Frames.FRAME_BYTES);
                    call.sendMedia(Arrays.copyOfRange(speaking.audio, speaking.offset, end));
                    long now = System.nanoTime();
                    if (speaking.offset == 0) {
                        speaking.firstNanos = now;
                    }
                    speaking.offset = end;
                    if (end == speaking.audio.length) {
                        speaking.sent.complete(new Spoken(speaking.firstNanos, now));
                        speaking = null;
                    }
                }
                next += FRAME_NANOS;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(speaking, e); // the socket closed under us: whoever waits on speech learns why
            return;
        }
        fail(speaking, new IllegalStateException("the line was closed"));
    }

    private void fail(Utterance speaking, Exception cause) {
        open = false;
        if (speaking != null) {
            speaking.sent.completeExceptionally(cause);
        }
        for (Utterance u; (u = queue.poll()) != null; ) {
            u.sent.completeExceptionally(cause);
        }
    }

    /**
     * Stops sending (before the caller hangs up). Not by interrupting the sender: a virtual thread
     * interrupted in a socket write closes the socket, and the caller has yet to say goodbye on it.
     */
    @Override
    public void close() {
        open = false;
        try {
            sender.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
