package dev.dialtone.speech;

/** One call's text-to-speech stream. Methods may be called from any thread and do not block. */
public interface TtsSession extends AutoCloseable {

    /**
     * Queues one segment (a clause or sentence) for synthesis. Its audio arrives as
     * {@link TtsEvent.Audio} with this id, then {@link TtsEvent.SegmentDone}, or
     * {@link TtsEvent.Failed} naming it.
     */
    void speak(long segmentId, String text);

    /** Says that no more text follows for now, so the provider should not wait for more. */
    void flush();

    /**
     * Barge-in: drops every queued segment and every byte not yet delivered, including audio still
     * arriving for cancelled segments. No events follow for them. Segments spoken afterwards are
     * unaffected.
     */
    void cancel();

    /** Ends the session; nothing is delivered afterwards. Idempotent. */
    @Override
    void close();
}
