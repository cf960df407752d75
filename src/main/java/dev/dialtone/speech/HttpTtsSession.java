package dev.dialtone.speech;

import dev.dialtone.llm.EventGate;
import dev.dialtone.llm.ProviderError;
import dev.dialtone.llm.ProviderException;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A TTS session over a plain HTTP streaming endpoint (Deepgram {@code POST /v1/speak}, ElevenLabs
 * {@code POST /v1/text-to-speech/{voice}/stream}): one request per segment, in order, its chunked
 * body streamed out as audio.
 *
 * <p>Only a 2xx answer with an audio (or octet-stream) content type is audio: anything else is read
 * as an error text and reported, never played. A stray WAV header is removed.
 *
 * <p>Threads: one worker thread sends the requests; {@link #cancel()} bumps the epoch and aborts the
 * request in flight from the caller's thread. Audio is emitted under {@link #lock} after an epoch
 * check, so nothing of a cancelled segment is delivered once {@code cancel()} returns.
 */
public final class HttpTtsSession implements TtsSession {
    private static final int MAX_ERROR_BODY = 2048;
    private static final int WAV_HEADER = 44;

    private record Segment(long id, String text, long epoch) {
    }

    private final String provider;
    private final HttpClient client;
    private final Function<String, HttpRequest> requests;
    private final Duration idleTimeout;
    private final EventGate<TtsEvent> gate;
    private final BlockingQueue<Segment> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private long epoch;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** The request in flight; guarded by {@link #lock}. */
    private CompletableFuture<HttpResponse<InputStream>> inFlight;
    /** Its body once the headers are in; guarded by {@link #lock}. */
    private InputStream body;
    private final Thread worker;

    private HttpTtsSession(String provider, HttpClient client, Function<String, HttpRequest> requests, Duration idleTimeout,
                           Consumer<TtsEvent> listener) {
        this.provider = provider;
        this.client = client;
        this.requests = requests;
        this.idleTimeout = idleTimeout;
        this.gate = new EventGate<>(listener, e -> e instanceof TtsEvent.Failed f && f.segmentId().isEmpty());
        this.worker = Thread.ofVirtual().name(provider + "-tts-http").unstarted(this::run);
    }

    /**
     * @param requests    builds the request for one segment's text
     * @param idleTimeout longest wait for the headers and between body chunks
     */
    public static HttpTtsSession start(String provider, HttpClient client, Function<String, HttpRequest> requests,
                                       Duration idleTimeout, Consumer<TtsEvent> listener) {
        var session = new HttpTtsSession(provider, client, requests, idleTimeout, listener);
        session.worker.start();
        return session;
    }

    @Override
    public void speak(long segmentId, String text) {
        lock.lock();
        try {
            if (!closed) {
                queue.add(new Segment(segmentId, text, epoch));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Each segment is its own request, sent as soon as the previous one finished. */
    @Override
    public void flush() {
    }

    @Override
    public void cancel() {
        lock.lock();
        try {
            epoch++;
            abortInFlight();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            epoch++;
            gate.silence();
            abortInFlight();
        } finally {
            lock.unlock();
        }
        worker.interrupt();
    }

    private void abortInFlight() {
        if (inFlight != null) {
            inFlight.cancel(true);
        }
        if (body != null) {
            try {
                body.close();
            } catch (IOException ignored) {
                // aborting is the goal
            }
        }
    }

    private void run() {
        try {
            while (true) {
                var segment = queue.take();
                if (current(segment)) {
                    synthesise(segment);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private boolean current(Segment segment) {
        lock.lock();
        try {
            return !closed && segment.epoch() == epoch;
        } finally {
            lock.unlock();
        }
    }

    private void synthesise(Segment segment) {
        var watchdog = new Watchdog(segment);
        try {
            CompletableFuture<HttpResponse<InputStream>> future;
            lock.lock();
            try {
                if (segment.epoch() != epoch) {
                    return;
                }
                future = client.sendAsync(requests.apply(segment.text()), HttpResponse.BodyHandlers.ofInputStream());
                inFlight = future;
            } finally {
                lock.unlock();
            }
            watchdog.start();
            var response = future.get();
            lock.lock();
            try {
                body = response.body();
                if (segment.epoch() != epoch) {
                    body.close();
                    return;
                }
            } finally {
                lock.unlock();
            }
            check(response);
            stream(segment, response.body(), watchdog);
            emitIfCurrent(segment, new TtsEvent.SegmentDone(segment.id()));
        } catch (ProviderException e) {
            emitIfCurrent(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), e.error()));
        } catch (ExecutionException e) {
            fail(segment, watchdog, e.getCause());
        } catch (IOException | RuntimeException e) {
            fail(segment, watchdog, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.stop();
            lock.lock();
            try {
                inFlight = null;
                body = null;
            } finally {
                lock.unlock();
            }
        }
    }

    private void fail(Segment segment, Watchdog watchdog, Throwable cause) {
        var error = watchdog.expired()
                ? new ProviderError(ProviderError.Kind.TIMEOUT, provider, "no audio for the idle timeout", true)
                : ProviderError.ofException(provider, cause);
        emitIfCurrent(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), error));
    }

    private void check(HttpResponse<InputStream> response) throws ProviderException, IOException {
        var type = response.headers().firstValue("content-type").orElse("").toLowerCase();
        boolean audio = type.startsWith("audio/") || type.startsWith("application/octet-stream");
        if (response.statusCode() / 100 == 2 && audio) {
            return;
        }
        String text;
        try (var in = response.body()) {
            text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
        if (response.statusCode() / 100 != 2) {
            throw new ProviderException(ProviderError.ofStatus(provider, response.statusCode(), text));
        }
        throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                "expected audio, got '" + type + "': " + ProviderError.abbreviate(text), false));
    }

    private void stream(Segment segment, InputStream in, Watchdog watchdog) throws IOException {
        var head = in.readNBytes(WAV_HEADER);
        watchdog.touch();
        boolean wav = head.length == WAV_HEADER && new String(head, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF");
        // A container header would play as a click: drop it (Deepgram sends one unless container=none).
        if (!wav && head.length > 0 && !emitIfCurrent(segment, new TtsEvent.Audio(segment.id(), head))) {
            return;
        }
        var buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) != -1) {
            watchdog.touch();
            if (n > 0 && !emitIfCurrent(segment, new TtsEvent.Audio(segment.id(), Arrays.copyOf(buffer, n)))) {
                return;
            }
        }
    }

    private boolean emitIfCurrent(Segment segment, TtsEvent event) {
        lock.lock();
        try {
            return segment.epoch() == epoch && !closed && gate.emit(event);
        } finally {
            lock.unlock();
        }
    }

    /** Aborts a request whose server goes quiet for the idle timeout. Its own virtual thread. */
    private final class Watchdog {
        private final Segment segment;
        private volatile long last = System.nanoTime();
        private volatile boolean expired;
        private Thread thread;

        Watchdog(Segment segment) {
            this.segment = segment;
        }

        void start() {
            thread = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        long idle = System.nanoTime() - last;
                        if (idle >= idleTimeout.toNanos()) {
                            expired = true;
                            lock.lock();
                            try {
                                if (segment.epoch() == epoch) {
                                    abortInFlight();
                                }
                            } finally {
                                lock.unlock();
                            }
                            return;
                        }
                        Thread.sleep(Duration.ofNanos(idleTimeout.toNanos() - idle));
                    }
                } catch (InterruptedException e) {
                    // the request ended
                }
            });
        }

        void touch() {
            last = System.nanoTime();
        }

        boolean expired() {
            return expired;
        }

        void stop() {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }
}
