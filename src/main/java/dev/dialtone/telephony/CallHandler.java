package dev.dialtone.telephony;

/**
 * The per-call object a Media Stream feeds once Twilio has said which call it carries. The
 * socket's reader thread calls it, one message at a time and in order; an implementation that
 * does real work posts the events to its own thread instead of blocking the reader.
 */
public interface CallHandler {

    /** Media, DTMF, mark and stop events of this call, in the order Twilio sent them. */
    void onEvent(StreamEvent event);

    /** The socket closed (after stop, or dropped). Called exactly once, last. */
    void onStreamClosed();

    /** Creates the handler for a call whose stream has just started. */
    @FunctionalInterface
    interface Factory {
        CallHandler answer(StreamEvent.Start start, OutboundStream out);
    }
}
