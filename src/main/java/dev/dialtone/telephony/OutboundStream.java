package dev.dialtone.telephony;

import java.util.concurrent.locks.ReentrantLock;

import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;

/**
 * The way back to Twilio for one call: sends media, marks and clear on the call's socket. Any
 * thread may send; a lock keeps frames whole. After the socket closes, sends are dropped.
 */
public final class OutboundStream {
    private final WsSession session;
    private final String streamSid;
    private final TelephonyMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean open = true; // guarded by lock

    OutboundStream(WsSession session, String streamSid, TelephonyMetrics metrics) {
        this.session = session;
        this.streamSid = streamSid;
        this.metrics = metrics;
    }

    public String streamSid() {
        return streamSid;
    }

    /** Sends one command; returns false when the stream is already closed. */
    public boolean send(StreamCommand command) {
        var text = MediaStreamCodec.write(command, streamSid);
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
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the socket, which ends the {@code <Connect>} and lets Twilio continue the call. Idempotent. */
    public void close() {
        lock.lock();
        try {
            if (open) {
                open = false;
                session.close(WsCloseCodes.NORMAL_CLOSE, "call ended");
            }
        } catch (RuntimeException ignored) {
            // the peer is already gone
        } finally {
            lock.unlock();
        }
    }

    void markClosed() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
    }
}
