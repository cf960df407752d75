package dev.dialtone.telephony;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A WAV file around raw G.711 mu-law 8 kHz mono audio (format 7), as Twilio's {@code <Play>} takes it. */
final class Wav {
    private static final int HEADER = 58;

    private Wav() {
    }

    static byte[] mulaw(byte[] audio) {
        var b = ByteBuffer.allocate(HEADER + audio.length + (audio.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(HEADER - 8 + audio.length + (audio.length & 1)).put("WAVE".getBytes());
        // fmt: a non-PCM format carries cbSize, and a fact chunk with the sample count follows
        b.put("fmt ".getBytes()).putInt(18).putShort((short) 7).putShort((short) 1).putInt(8000).putInt(8000)
         .putShort((short) 1).putShort((short) 8).putShort((short) 0);
        b.put("fact".getBytes()).putInt(4).putInt(audio.length);
        b.put("data".getBytes()).putInt(audio.length).put(audio);
        return b.array();
    }
}
