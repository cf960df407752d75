package dev.dialtone.speech;

/**
 * One call's speech-to-text stream. Methods may be called from any thread and never block on the
 * network; after {@link #close()} they are ignored.
 */
public interface SttSession extends AutoCloseable {

    /** Queues raw mu-law 8 kHz audio, exactly as the phone line delivered it. */
    void sendAudio(byte[] mulaw);

    /** Asks the provider to finish the current words now; results carry {@code fromFinalize}. */
    void finalizeTurn();

    /**
     * Changes the end-of-turn thresholds from now on, where the provider can change them mid-stream
     * (Deepgram Flux's {@code Configure}); they hold across reconnects. Returns false when the
     * provider cannot, so that the caller holds the end of a turn itself.
     */
    default boolean adjustTurnEnd(TurnThresholds thresholds) {
        return false;
    }

    /**
     * Graceful end: the provider finishes what it has (final results may still arrive), then the
     * listener receives {@link SttEvent.Closed}. Idempotent.
     */
    @Override
    void close();
}
