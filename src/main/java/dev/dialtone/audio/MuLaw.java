package dev.dialtone.audio;

/**
 * G.711 mu-law, the only audio format a Twilio phone line carries (8 kHz, 8 bits per sample).
 *
 * <p>Decoding uses a 256-entry table because it runs for every inbound sample of every call.
 */
public final class MuLaw {
    /** The byte that decodes to zero: what a silent line sends. */
    public static final byte SILENCE = (byte) 0xFF;

    private static final int BIAS = 0x84;
    private static final int CLIP = 32635;
    private static final int[] SEGMENT_BASE = {0, 132, 396, 924, 1980, 4092, 8316, 16764};
    private static final short[] DECODED = new short[256];

    static {
        for (int u = 0; u < 256; u++) {
            DECODED[u] = decodeSlow(u);
        }
    }

    private MuLaw() {
    }

    /** Encodes one signed 16-bit linear sample. */
    public static byte encode(int sample) {
        int s = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sample));
        int sign = (s >> 8) & 0x80;
        if (sign != 0) {
            s = -s;
        }
        s = Math.min(s, CLIP) + BIAS;
        int exponent = 31 - Integer.numberOfLeadingZeros(s >> 7);
        if (exponent < 0) {
            exponent = 0;
        }
        int mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte) (~(sign | (exponent << 4) | mantissa) & 0xFF);
    }

    /** Decodes one mu-law byte to a signed 16-bit linear sample. */
    public static short decode(byte mulaw) {
        return DECODED[mulaw & 0xFF];
    }

    /** Encodes 16-bit linear PCM samples. */
    public static byte[] encode(short[] pcm) {
        var out = new byte[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            out[i] = encode(pcm[i]);
        }
        return out;
    }

    /** Decodes mu-law bytes to 16-bit linear PCM samples. */
    public static short[] decode(byte[] mulaw) {
        var out = new short[mulaw.length];
        for (int i = 0; i < mulaw.length; i++) {
            out[i] = DECODED[mulaw[i] & 0xFF];
        }
        return out;
    }

    private static short decodeSlow(int code) {
        int u = ~code & 0xFF;
        int sign = u & 0x80;
        int exponent = (u >> 4) & 0x07;
        int mantissa = u & 0x0F;
        int s = SEGMENT_BASE[exponent] + (mantissa << (exponent + 3));
        return (short) (sign != 0 ? -s : s);
    }
}
