package dev.dialtone.audio;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a stream of mu-law audio chunks of any size into 20 ms frames (160 bytes at 8 kHz), the
 * unit Twilio plays and the pacer counts. Not thread-safe: one speaking pipeline owns it.
 */
public final class Frames {
    /** Samples per second on a phone line. */
    public static final int SAMPLE_RATE = 8000;
    /** Bytes (= samples) in one 20 ms frame. */
    public static final int FRAME_BYTES = 160;
    /** Duration of one frame. */
    public static final int FRAME_MILLIS = 20;

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(FRAME_BYTES);

    /** Adds a chunk; returns the whole frames now available, in order. */
    public List<byte[]> add(byte[] chunk) {
        var frames = new ArrayList<byte[]>();
        int offset = 0;
        if (pending.size() > 0) {
            int take = Math.min(FRAME_BYTES - pending.size(), chunk.length);
            pending.write(chunk, 0, take);
            offset = take;
            if (pending.size() == FRAME_BYTES) {
                frames.add(pending.toByteArray());
                pending.reset();
            }
        }
        while (chunk.length - offset >= FRAME_BYTES) {
            frames.add(Arrays.copyOfRange(chunk, offset, offset + FRAME_BYTES));
            offset += FRAME_BYTES;
        }
        if (offset < chunk.length) {
            pending.write(chunk, offset, chunk.length - offset);
        }
        return frames;
    }

    /** Ends the stream: the last partial frame, padded with silence, if any. */
    public List<byte[]> flush() {
        if (pending.size() == 0) {
            return List.of();
        }
        var frame = new byte[FRAME_BYTES];
        Arrays.fill(frame, MuLaw.SILENCE);
        var rest = pending.toByteArray();
        System.arraycopy(rest, 0, frame, 0, rest.length);
        pending.reset();
        return List.of(frame);
    }

    /** Drops a partial frame (after a barge-in). */
    public void discard() {
        pending.reset();
    }

    /** Playback duration of mu-law audio of the given length. */
    public static long millis(int bytes) {
        return bytes * 1000L / SAMPLE_RATE;
    }
}
