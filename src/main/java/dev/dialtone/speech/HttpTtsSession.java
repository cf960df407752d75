package dev.dialtone.speech;

import dev.dialtone.llm.ProviderError;
import dev.dialtone.llm.ProviderException;
import dev.dialtone.speech.SegmentQueue.Segment;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * <p>Threads: one worker thread sends the requests; {@link #cancel()} moves the {@link SegmentQueue}'s
 * epoch on and aborts the request in flight from the caller's thread, so nothing of a cancelled
 * segment is delivered once it returns.
 */
public final class HttpTtsSession implements TtsSession {
    private static final int MAX_ERROR_BODY = 2048;
    private static final int WAV_HEADER = 44;

    private final String provider;
    private final HttpClient client;
    private final Function<String, HttpRequest> requests;
    private final Duration idleTimeout;
    private final SegmentQueue segments;
    /** The request in flight; guarded by the segments' lock. */
    private CompletableFuture<HttpResponse<InputStream>> inFlight;
    /** Its body once the headers are in; guarded by the segments' lock. */
    private InputStream body;
    private final Thread worker;

    private HttpTtsSession(String provider, HttpClient client, Function<String, HttpRequest> requests, Duration idleTimeout,
                           Consumer<TtsEvent> listener) {
        this.provider = provider;
        this.client = client;
        this.requests = requests;
        this.idleTimeout = idleTimeout;
        this.segments = new SegmentQueue(listener, this::abortInFlight);
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
        segments.add(segmentId, text);
    }

    /** Each segment is its own request, sent as soon as the previous one finished. */
    @Override
    public void flush() {
    }

    @Override
    public void cancel() {
        segments.cancel();
    }

    @Override
    public void close() {
        if (segments.close()) {
            worker.interrupt();
        }
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
                synthesise(segments.next());
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void synthesise(Segment segment) {
        var watchdog = new Watchdog(segment);
        try {
            var sent = segments.ifCurrent(segment, () -> inFlight = client.sendAsync(requests.apply(segment.text()),
                    HttpResponse.BodyHandlers.ofInputStream()));
            if (sent.isEmpty()) {
                return;
            }
            watchdog.start();
            var response = sent.get().get();
            if (segments.ifCurrent(segment, () -> body = response.body()).isEmpty()) {
                response.body().close();
                return;
            }
            check(response);
            stream(segment, response.body(), watchdog);
            segments.emit(segment, new TtsEvent.SegmentDone(segment.id()));
        } catch (ProviderException e) {
            segments.emit(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), e.error()));
        } catch (ExecutionException e) {
            fail(segment, watchdog, e.getCause());
        } catch (IOException | RuntimeException e) {
            fail(segment, watchdog, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.stop();
            segments.locked(() -> {
                inFlight = null;
                body = null;
            });
        }
    }

    private void fail(Segment segment, Watchdog watchdog, Throwable cause) {
        var error = watchdog.expired()
                ? new ProviderError(ProviderError.Kind.TIMEOUT, provider, "no audio for the idle timeout", true)
                : ProviderError.ofException(provider, cause);
        segments.emit(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), error));
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
        if (!wav && head.length > 0 && !segments.emit(segment, new TtsEvent.Audio(segment.id(), head))) {
            return;
        }
        var buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) != -1) {
            watchdog.touch();
            if (n > 0 && !segments.emit(segment, new TtsEvent.Audio(segment.id(), Arrays.copyOf(buffer, n)))) {
                return;
            }
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
                            segments.ifCurrent(segment, () -> {
                                abortInFlight();
                                return true;
                            });
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
