package dev.dialtone.speech;

import dev.dialtone.net.ProviderConnections;
import dev.dialtone.net.ProviderError;
import dev.dialtone.net.ProviderException;
import dev.dialtone.net.ProviderPost;
import dev.dialtone.speech.SegmentQueue.Segment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
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
 * <p>Threads: one worker thread sends the requests ({@link ProviderPost}, whose idle timeout bounds
 * every silence of the provider); {@link #cancel()} moves the {@link SegmentQueue}'s epoch on and
 * aborts the request in flight from the caller's thread, so nothing of a cancelled segment is
 * delivered once it returns.
 */
public final class HttpTtsSession implements TtsSession {
    private static final int MAX_ERROR_BODY = 2048;
    private static final int WAV_HEADER = 44;

    /** Reads a refused request's status and (short) body as a typed error. */
    @FunctionalInterface
    public interface ErrorReader {
        ProviderError read(int status, String body);
    }

    private final String provider;
    private final ErrorReader errors;
    private final ProviderConnections connections;
    private final Function<String, ProviderPost.Request> requests;
    private final Duration idleTimeout;
    private final SegmentQueue segments;
    /** The request in flight; guarded by the segments' lock. */
    private ProviderPost inFlight;
    private final Thread worker;

    private HttpTtsSession(String provider, ErrorReader errors, ProviderConnections connections,
                           Function<String, ProviderPost.Request> requests, Duration idleTimeout, Consumer<TtsEvent> listener) {
        this.provider = provider;
        this.errors = errors;
        this.connections = connections;
        this.requests = requests;
        this.idleTimeout = idleTimeout;
        this.segments = new SegmentQueue(listener, this::abortInFlight);
        this.worker = Thread.ofVirtual().name(provider + "-tts-http").unstarted(this::run);
    }

    /**
     * @param requests    builds the request for one segment's text
     * @param idleTimeout longest wait for the headers and between body chunks
     */
    public static HttpTtsSession start(String provider, ProviderConnections connections,
                                       Function<String, ProviderPost.Request> requests, Duration idleTimeout,
                                       Consumer<TtsEvent> listener) {
        return start(provider, (status, body) -> ProviderError.ofStatus(provider, status, body), connections, requests,
                idleTimeout, listener);
    }

    /** As above, with the provider's own reading of its error bodies. */
    public static HttpTtsSession start(String provider, ErrorReader errors, ProviderConnections connections,
                                       Function<String, ProviderPost.Request> requests, Duration idleTimeout,
                                       Consumer<TtsEvent> listener) {
        var session = new HttpTtsSession(provider, errors, connections, requests, idleTimeout, listener);
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
            inFlight.abort();
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
        ProviderPost post;
        try {
            post = new ProviderPost(connections, requests.apply(segment.text()), provider);
        } catch (RuntimeException e) {
            segments.emit(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), ProviderError.ofException(provider, e)));
            return;
        }
        if (segments.ifCurrent(segment, () -> inFlight = post).isEmpty()) {
            return;
        }
        try {
            if (!post.send(idleTimeout)) {
                return;
            }
            check(post);
            if (stream(segment, post.body())) {
                post.finish();
                segments.emit(segment, new TtsEvent.SegmentDone(segment.id()));
            }
        } catch (ProviderException e) {
            segments.emit(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), e.error()));
        } catch (IOException e) {
            segments.emit(segment, new TtsEvent.Failed(OptionalLong.of(segment.id()), post.error(e)));
        } finally {
            segments.locked(() -> inFlight = null);
            post.close();
        }
    }

    private void check(ProviderPost post) throws ProviderException, IOException {
        var type = post.header("content-type").toLowerCase();
        boolean audio = type.startsWith("audio/") || type.startsWith("application/octet-stream");
        if (post.status() / 100 == 2 && audio) {
            return;
        }
        var text = new String(post.body().readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        if (post.status() / 100 != 2) {
            throw new ProviderException(errors.read(post.status(), text));
        }
        throw new ProviderException(new ProviderError(ProviderError.Kind.PROTOCOL, provider,
                "expected audio, got '" + type + "': " + ProviderError.abbreviate(text), false));
    }

    /** Streams the body out as audio; false if the segment was cancelled meanwhile. */
    private boolean stream(Segment segment, InputStream in) throws IOException {
        var head = in.readNBytes(WAV_HEADER);
        boolean wav = head.length == WAV_HEADER && new String(head, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF");
        // A container header would play as a click: drop it (Deepgram sends one unless container=none).
        if (!wav && head.length > 0 && !segments.emit(segment, new TtsEvent.Audio(segment.id(), head))) {
            return false;
        }
        var buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) != -1) {
            if (n > 0 && !segments.emit(segment, new TtsEvent.Audio(segment.id(), Arrays.copyOf(buffer, n)))) {
                return false;
            }
        }
        return true;
    }
}
