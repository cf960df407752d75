package dev.dialtone.telephony;

import java.util.concurrent.locks.ReentrantLock;

import io.helidon.websocket.WsSession;

/**
 * The way back to Twilio for one call: sends media, marks and clear on the call's socket. Any
 * thread may send; a lock keeps frames whole. After the socket closes, sends are dropped. A send
 * that fails ends the stream (and so the call): the socket's owner hears of it at once.
 */
public final class OutboundStream {
    /** What the socket's owner is told about this side. Both are called without the lock held. */
    interface Owner {
        /** The call closed the stream (hang-up, no flow): the owner sends the close frame and times the handshake. */
        void closing();

        /** A send failed: the connection is broken. */
        void sendFailed(RuntimeException e);
    }

    private final WsSession session;
    private final String streamSid;
    private final TelephonyMetrics metrics;
    private final Owner owner;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean open = true; // guarded by lock

    OutboundStream(WsSession session, String streamSid, TelephonyMetrics metrics, Owner owner) {
        this.session = session;
        this.streamSid = streamSid;
        this.metrics = metrics;
        this.owner = owner;
    }

    public String streamSid() {
        return streamSid;
    }

    /** Sends one command; returns false when the stream is already closed (or the send failed). */
    public boolean send(StreamCommand command) {
        var text = MediaStreamCodec.write(command, streamSid);
        RuntimeException failure;
        lock.lock();
        try {
            if (!open) {
                return false;
            }
            session.send(text, true);
            metrics.sent(command);
            return true;
        } catch (RuntimeException e) {
            open = false;
            failure = e;
        } finally {
            lock.unlock();
        }
        owner.sendFailed(failure);
        return false;
    }

    /**
     * Closes the socket, which ends the {@code <Connect>} and lets Twilio continue the call: the
     * owner sends the close frame and waits a little for Twilio's. Idempotent.
     */
    public void close() {
        boolean closing = false;
        lock.lock();
        try {
            closing = open;
            open = false;
        } finally {
            lock.unlock();
        }
        if (closing) {
            owner.closing();
        }
    }

    /** Stops sending: the socket is closed or closing for another reason. */
    void markClosed() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
    }
}
