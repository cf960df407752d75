package dev.dialtone.telephony;

import java.util.Arrays;

/**
 * Standard base64 (RFC 4648, padded) decoded straight from a parser's character buffer: a media
 * payload arrives 50 times a second per call, and this allocates only the decoded bytes (Jackson's
 * own binary decoding allocates a growable builder of 500 bytes and a copy for each one).
 */
final class Base64Text {
    private static final byte[] VALUES = new byte[128];

    static {
        Arrays.fill(VALUES, (byte) -1);
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private Base64Text() {
    }

    /** The bytes of {@code length} characters at {@code offset}, or null if they are not padded base64. */
    static byte[] decode(char[] text, int offset, int length) {
        if (length % 4 != 0) {
            return null;
        }
        if (length == 0) {
            return new byte[0];
        }
        int padding = text[offset + length - 1] == '=' ? (text[offset + length - 2] == '=' ? 2 : 1) : 0;
        var out = new byte[length / 4 * 3 - padding];
        int o = 0;
        for (int i = offset, end = offset + length; i < end; i += 4) {
            boolean last = i + 4 == end;
            int a = value(text[i]);
            int b = value(text[i + 1]);
            int c = last && padding == 2 ? 0 : value(text[i + 2]);
            int d = last && padding >= 1 ? 0 : value(text[i + 3]);
            if ((a | b | c | d) < 0) {
                return null;
            }
            int bits = a << 18 | b << 12 | c << 6 | d;
            out[o++] = (byte) (bits >> 16);
            if (o < out.length) {
                out[o++] = (byte) (bits >> 8);
            }
            if (o < out.length) {
                out[o++] = (byte) bits;
            }
        }
        return out;
    }

    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }
}
