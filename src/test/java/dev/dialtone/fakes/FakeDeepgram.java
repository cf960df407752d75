package dev.dialtone.fakes;

import java.net.URI;

/**
 * Deepgram as the server sees it in production: one base URL (DEEPGRAM_URL) serving live
 * transcription ({@code /v1/listen}, a {@link FakeDeepgramStt}) and Aura speech ({@code /v1/speak},
 * a {@link FakeDeepgramTts}) on the same port, with the same key.
 *
 * <pre>{@code
 * try (var deepgram = new FakeDeepgram("dg-key")) {
 *     deepgram.stt().script("a large pizza");
 *     deepgram.tts().firstByteDelay(Duration.ofMillis(100));
 *     var stt = new DeepgramSpeechToText(deepgram.baseUrl(), "dg-key", DeepgramSpeechToText.Timing.defaults());
 *     var tts = new DeepgramTextToSpeech(deepgram.baseUrl(), "dg-key", Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class FakeDeepgram implements AutoCloseable {
    private final FakeServer server;
    private final FakeDeepgramStt stt;
    private final FakeDeepgramTts tts;

    public FakeDeepgram(String expectedKey) {
        var holder = new FakeDeepgramStt[1];
        var speech = new FakeDeepgramTts[1];
        this.server = new FakeServer(exchange -> {
            if (exchange.path().equals("/v1/listen") || exchange.path().equals("/v2/listen")) { // Nova, Flux
                holder[0].handle(exchange);
            } else {
                speech[0].handle(exchange);
            }
        });
        this.stt = new FakeDeepgramStt(expectedKey, server);
        this.tts = new FakeDeepgramTts(expectedKey, server);
        holder[0] = stt;
        speech[0] = tts;
    }

    /** DEEPGRAM_URL. */
    public URI baseUrl() {
        return server.httpBase();
    }

    /** The transcription side: script, faults, received audio. */
    public FakeDeepgramStt stt() {
        return stt;
    }

    /** The speech side: voice timing, faults, received text. */
    public FakeDeepgramTts tts() {
        return tts;
    }

    @Override
    public void close() {
        server.close();
    }
}
