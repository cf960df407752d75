package dev.dialtone.telephony;

/**
 * The per-call object a Media Stream feeds once Twilio has said which call it carries. The
 * socket's reader thread calls it, one message at a time and in order; an implementation that
 * does real work posts the events to its own thread instead of blocking the reader.
 */
public interface CallHandler {

    /** Media, DTMF, mark and stop events of this call, in the order Twilio sent them. */
    void onEvent(StreamEvent event);

    /**
     * The stream ended, however it ended (close frame, dropped connection, a close of the
     * server's own, a failed send, silence): the call must end. Called exactly once, last, from
     * any thread. {@code reason} says how, for the call's record (e.g. "stream lost: connection
     * dropped without a close frame").
     */
    void onStreamClosed(String reason);

    /** Creates the handler for a call whose stream has just started. */
    @FunctionalInterface
    interface Factory {
        CallHandler answer(StreamEvent.Start start, OutboundStream out);
    }
}
