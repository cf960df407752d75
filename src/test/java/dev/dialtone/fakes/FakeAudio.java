package dev.dialtone.fakes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import dev.dialtone.audio.MuLaw;

/** Test audio in mu-law 8 kHz: tones, silence, and WAV files (from espeak-ng or sox). */
public final class FakeAudio {
    private FakeAudio() {
    }

    /** A sine tone; a tone stands for caller speech in tests (the fake STT maps frequency to text). */
    public static byte[] tone(double hertz, int millis, int amplitude) {
        // the benchmark's callers say the same tone hundreds of times
        return TONES.computeIfAbsent(hertz + "/" + millis + "/" + amplitude, k -> computeTone(hertz, millis, amplitude))
                    .clone();
    }

    private static final java.util.Map<String, byte[]> TONES = new java.util.concurrent.ConcurrentHashMap<>();

    private static byte[] computeTone(double hertz, int millis, int amplitude) {
        int n = millis * 8;
        var out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = MuLaw.encode((int) Math.round(amplitude * Math.sin(2 * Math.PI * hertz * i / 8000.0)));
        }
        return out;
    }

    public static byte[] tone(double hertz, int millis) {
        return tone(hertz, millis, 8000);
    }

    public static byte[] silence(int millis) {
        var out = new byte[millis * 8];
        Arrays.fill(out, MuLaw.SILENCE);
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (var p : parts) {
            n += p.length;
        }
        var out = new byte[n];
        int at = 0;
        for (var p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * Reads a mono WAV file as mu-law 8 kHz: 16-bit PCM at 8 kHz, or already mu-law (format 7).
     * Other rates are refused (convert with {@code sox in.wav -r 8000 -c 1 out.wav}).
     */
    public static byte[] wav(Path file) throws IOException {
        var bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.getInt(0) != 0x46464952 || bytes.getInt(8) != 0x45564157) {
            throw new IOException(file + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        int format = 0;
        int rate = 0;
        int channels = 0;
        int bits = 0;
        while (pos + 8 <= bytes.limit()) {
            int id = bytes.getInt(pos);
            int size = bytes.getInt(pos + 4);
            if (id == 0x20746d66) { // "fmt "
                format = bytes.getShort(pos + 8) & 0xFFFF;
                channels = bytes.getShort(pos + 10);
                rate = bytes.getInt(pos + 12);
                bits = bytes.getShort(pos + 22);
            } else if (id == 0x61746164) { // "data"
                if (channels != 1 || rate != 8000) {
                    throw new IOException(file + ": need mono 8000 Hz, got " + channels + " ch " + rate + " Hz");
                }
                int len = Math.min(size, bytes.limit() - pos - 8);
                var data = Arrays.copyOfRange(bytes.array(), pos + 8, pos + 8 + len);
                if (format == 7) {
                    return data;
                }
                if (format == 1 && bits == 16) {
                    var pcm = new short[data.length / 2];
                    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(pcm);
                    return MuLaw.encode(pcm);
                }
                throw new IOException(file + ": unsupported WAV format " + format + " with " + bits + " bits");
            }
            pos += 8 + size + (size & 1);
        }
        throw new IOException(file + " has no data chunk");
    }
}
