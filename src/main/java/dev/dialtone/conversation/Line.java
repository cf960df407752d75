package dev.dialtone.conversation;

/**
 * What a conversation can do to the phone call itself. On Twilio: hang up and transfer through
 * the REST API (closing the stream when the API is not configured); in chat mode: print.
 */
public interface Line {

    void hangUp();

    void transfer(String number);

    /**
     * Starts a warm transfer of the held call ({@link WarmTransfers}); whether the line can (a
     * text line cannot, and the conversation then transfers cold).
     */
    default boolean warmTransfer(HeldCall held) {
        return false;
    }
}
