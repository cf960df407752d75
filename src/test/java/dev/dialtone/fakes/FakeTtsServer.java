package dev.dialtone.fakes;

import dev.dialtone.audio.MuLaw;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What the TTS fakes ({@link FakeDeepgramTts}, {@link FakeElevenLabs}) share: the synthetic voice
 * (a tone whose length is proportional to the text) and the timing of its delivery (first byte after
 * a delay, then fixed-size chunks at an optional interval). Settings may change while a test runs.
 */
public final class FakeTtsServer {
    /** Audio per character of text. */
    volatile int msPerChar = 20;
    volatile Duration firstByteDelay = Duration.ZERO;
    volatile int chunkBytes = 800;
    volatile Duration chunkInterval = Duration.ZERO;

    /** The fake voice for {@code text}: a 300 Hz tone, {@code msPerChar} per character (at least one). */
    public static byte[] synthesize(String text, int msPerChar) {
        int samples = Math.max(1, text.strip().length()) * msPerChar * 8;
        var audio = new byte[samples];
        for (int at = 0; at < samples; at += VOICE_PERIOD.length) {
            System.arraycopy(VOICE_PERIOD, 0, audio, at, Math.min(VOICE_PERIOD.length, samples - at));
        }
        return audio;
    }

    /** 300 Hz repeats every 80 samples at 8 kHz: one period, encoded once (hundreds of calls synthesise). */
    private static final byte[] VOICE_PERIOD = voicePeriod();

    private static byte[] voicePeriod() {
        var pcm = new short[80];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (6000 * Math.sin(2 * Math.PI * 300 * i / 8000.0));
        }
        return MuLaw.encode(pcm);
    }

    /** How many audio bytes the fake produces for {@code text} with the current settings. */
    public int audioLength(String text) {
        return Math.max(1, text.strip().length()) * msPerChar * 8;
    }

    /** A chunk sink that may fail when the client is gone. */
    interface ChunkSink {
        void accept(byte[] chunk) throws IOException;
    }

    /**
     * Delivers the audio for {@code text}: waits the first-byte delay, then sends chunks, checking
     * {@code stop} before each one. Returns the number of bytes sent.
     */
    int stream(String text, BooleanSupplier stop, int stopAfterChunks, ChunkSink sink) throws IOException {
        var audio = synthesize(text, msPerChar);
        FakeServer.pause(firstByteDelay);
        int sent = 0;
        int chunks = 0;
        for (int offset = 0; offset < audio.length; offset += chunkBytes) {
            if (stop.getAsBoolean() || chunks == stopAfterChunks) {
                return sent;
            }
            if (chunks > 0) {
                FakeServer.pause(chunkInterval);
            }
            var chunk = java.util.Arrays.copyOfRange(audio, offset, Math.min(offset + chunkBytes, audio.length));
            sink.accept(chunk);
            sent += chunk.length;
            chunks++;
        }
        return sent;
    }
}
