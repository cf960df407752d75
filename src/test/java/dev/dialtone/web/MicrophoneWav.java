package dev.dialtone.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The WAV file Chromium's fake microphone plays ({@code --use-file-for-fake-audio-capture}): 16-bit
 * PCM mono, leading silence, then a few "utterances" (a 440 Hz tone, which the fake Deepgram's
 * energy detector hears as speech) each followed by enough silence to end the turn.
 */
record MicrophoneWav(int sampleRate, int leadingSilenceMs, int toneMs, int gapMs, int utterances) {

    /** Writes the file and returns its path. */
    Path write(Path file) throws IOException {
        int total = (leadingSilenceMs + utterances * (toneMs + gapMs)) * sampleRate / 1000;
        var pcm = ByteBuffer.allocate(total * 2).order(ByteOrder.LITTLE_ENDIAN);
        int at = silence(pcm, leadingSilenceMs);
        for (int u = 0; u < utterances; u++) {
            int n = toneMs * sampleRate / 1000;
            for (int i = 0; i < n; i++) {
                // a short fade in and out keeps the edges from clicking
                double envelope = Math.min(1, Math.min(i, n - i) / (sampleRate * 0.01));
                pcm.putShort((short) Math.round(16000 * envelope * Math.sin(2 * Math.PI * 440 * i / sampleRate)));
            }
            at += n;
            at += silence(pcm, gapMs);
        }
        var header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x46464952).putInt(36 + at * 2).putInt(0x45564157);           // "RIFF" size "WAVE"
        header.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1); // "fmt " PCM mono
        header.putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        header.putInt(0x61746164).putInt(at * 2);                                     // "data"
        var out = new byte[44 + at * 2];
        System.arraycopy(header.array(), 0, out, 0, 44);
        System.arraycopy(pcm.array(), 0, out, 44, at * 2);
        return Files.write(file, out);
    }

    /** The time from the start of the file to the end of utterance {@code n} (0-based). */
    long utteranceEndMs(int n) {
        return leadingSilenceMs + (long) n * (toneMs + gapMs) + toneMs;
    }

    private int silence(ByteBuffer pcm, int millis) {
        int n = millis * sampleRate / 1000;
        for (int i = 0; i < n; i++) {
            pcm.putShort((short) 0);
        }
        return n;
    }
}
