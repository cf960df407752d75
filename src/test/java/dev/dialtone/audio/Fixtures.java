package dev.dialtone.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Caller audio made with espeak-ng and sox (src/test/resources/dev/dialtone/audio/make-fixtures.sh):
 * telephone band, 8 kHz mu-law, as Twilio sends it.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** A fixture's mu-law bytes: words, counting, backchannel, cough, noise. */
    public static byte[] mulaw(String name) {
        try (var in = Fixtures.class.getResourceAsStream(name + ".ulaw")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The audio as Twilio's 20 ms media frames (a short last frame is dropped, as a line would pad it). */
    public static List<byte[]> frames(byte[] mulaw) {
        var frames = new ArrayList<byte[]>();
        for (int i = 0; i + Frames.FRAME_BYTES <= mulaw.length; i += Frames.FRAME_BYTES) {
            frames.add(Arrays.copyOfRange(mulaw, i, i + Frames.FRAME_BYTES));
        }
        return frames;
    }

    /** {@code millis} of digital silence, as a quiet phone line sends between words. */
    public static byte[] silence(int millis) {
        var bytes = new byte[millis * 8];
        Arrays.fill(bytes, MuLaw.SILENCE);
        return bytes;
    }

    /** Two signals added sample by sample (speech over line noise). */
    public static byte[] mix(byte[] a, byte[] b) {
        var out = new byte[Math.max(a.length, b.length)];
        for (int i = 0; i < out.length; i++) {
            int sa = i < a.length ? MuLaw.decode(a[i]) : 0;
            int sb = i < b.length ? MuLaw.decode(b[i]) : 0;
            out[i] = MuLaw.encode(Math.clamp(sa + sb, Short.MIN_VALUE, Short.MAX_VALUE));
        }
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        var out = new byte[length];
        int at = 0;
        for (var p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
