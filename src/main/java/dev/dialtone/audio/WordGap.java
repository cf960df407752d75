package dev.dialtone.audio;

/**
 * Finds where a word starts in synthesised speech, so that audio stopped mid-word plays again from
 * that word's start: the pause between two words is the quietest stretch before it. Pure arithmetic
 * on mu-law bytes.
 */
public final class WordGap {
    /** Mean |sample| of a 10 ms block below which it is a pause between words (about -44 dBFS). */
    static final int QUIET_LEVEL = 200;
    /** Blocks of 10 ms looked at. */
    private static final int BLOCK = Frames.SAMPLE_RATE / 100;
    /** How far back a word start is looked for: longer than any word said at a phone agent's pace. */
    static final int LOOK_BACK = Frames.SAMPLE_RATE * 8 / 10;

    private WordGap() {
    }

    /**
     * The offset in {@code mulaw} (up to {@code position}, whole blocks) where the word playing at
     * {@code position} starts: the start of the nearest quiet block before it, else the quietest
     * block within {@link #LOOK_BACK}, else the start of the audio.
     */
    public static int before(byte[] mulaw, int position) {
        int end = Math.clamp(position, 0, mulaw.length);
        int floor = Math.max(0, end - LOOK_BACK);
        int quietest = floor;
        long quietestLevel = Long.MAX_VALUE;
        for (int start = end - end % BLOCK; start >= floor; start -= BLOCK) {
            long level = level(mulaw, start, Math.min(mulaw.length, start + BLOCK));
            if (level < QUIET_LEVEL) {
                return start;
            }
            if (level < quietestLevel) {
                quietestLevel = level;
                quietest = start;
            }
        }
        return floor == 0 ? 0 : quietest;
    }

    private static long level(byte[] mulaw, int from, int to) {
        if (to <= from) {
            return 0; // the end of the audio: silence follows
        }
        long sum = 0;
        for (int i = from; i < to; i++) {
            sum += Math.abs(MuLaw.decode(mulaw[i]));
        }
        return sum / (to - from);
    }
}
