package dev.dialtone.conversation;

/**
 * What a conversation can do to the phone call itself. On Twilio: hang up and transfer through
 * the REST API (closing the stream when the API is not configured); in chat mode: print.
 */
public interface Line {

    void hangUp();

    void transfer(String number);
}
