package dev.dialtone.conversation;

/**
 * One piece of an agent reply on its way to the caller: its text, its mark, and how much of its
 * audio went out when. Owned by the call's thread.
 */
final class Segment {
    final long id;
    final String text;
    String mark;            // renamed when a pause makes the marks on the line meaningless
    final int round;        // the LLM round that wrote it; -1 for fixed phrases (greeting, fillers)
    int bytesSent;          // mu-law bytes handed to the playout queue
    long firstSentNanos;    // when its first audio was queued; 0 before
    long echoedNanos;       // when Twilio echoed its mark; 0 before
    boolean synthesized;    // all its audio has arrived
    boolean failed;         // synthesis failed: nothing (more) will play
    long resumedNanos;      // when it last played again after a pause; 0 if never
    int resumedFromBytes;   // where in its audio that replay started
    private int renames;

    Segment(long id, String text, int round) {
        this.id = id;
        this.text = text;
        this.round = round;
        this.mark = "seg-" + id;
    }

    /** A new name for its mark: an echo of the old one (Twilio returns marks on clear) proves nothing. */
    void renameMark() {
        mark = "seg-" + id + "-" + ++renames;
    }

    boolean played() {
        return echoedNanos != 0;
    }

    /** Playback length of the audio sent so far. */
    long audioNanos() {
        return bytesSent * 125_000L; // 8000 bytes per second
    }
}
