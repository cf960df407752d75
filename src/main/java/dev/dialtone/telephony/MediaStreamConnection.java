package dev.dialtone.telephony;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * One Twilio Media Stream socket. It parses each message, creates the call's {@link CallHandler}
 * on a {@code start} that is bound to its call ({@link StreamAdmission#refuseStart}) and feeds it
 * the rest. Bad input (malformed JSON, unknown events, media before start, binary frames, typed
 * turns where they are not allowed, frames over the rate) is dropped, counted and reported by a
 * {@link DropLog}: it never harms this call's handler, let alone another call.
 *
 * <p>The call ends when the stream ends, however it ends, and its handler hears it exactly once:
 * a close frame, a dropped connection (which Helidon does not report: the {@link StreamWatch}
 * notices that the socket's reader thread has finished), a close of the server's own (1009 for a
 * message over the size limit, 1008 for a flood or a refused start), a failed send, or no message
 * for the idle time-out. After a close of ours the peer has {@link #CLOSE_GRACE} to answer before
 * the connection is cut.
 *
 * <p>Threads: the socket's reader thread owns {@code partial}, {@code budget} and {@code started};
 * the lock guards the end of the stream and the handler; the volatile fields are read by the
 * watch and by the threads that send.
 */
final class MediaStreamConnection implements WsListener, StreamWatch.Watched, OutboundStream.Owner {
    private static final System.Logger LOG = System.getLogger(MediaStreamConnection.class.getName());
    /** How long the peer has to answer a close frame of ours before the connection is cut. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    static final String LOST = "connection lost: the socket ended without a close frame";

    private final MediaStreamEndpoint endpoint;
    private final DropLog drops;
    private final StringBuilder partial = new StringBuilder();
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private MessageBudget budget;
    private boolean started;
    private WsSession session; // set on open, before the socket is watched
    private Thread reader;     // the socket's reader thread: it ends when Helidon is done with the socket
    private volatile boolean ended;          // written under lock
    private String endReason = "";           // guarded by lock
    private volatile CallHandler handler;    // written under lock
    private ActiveCalls.ActiveCall call;     // guarded by lock
    private volatile OutboundStream out;
    private volatile String callSid = "?";
    private volatile String streamSid = "?";
    private volatile long lastMessageNanos;
    private volatile long closingSinceNanos; // 0 until a close frame of ours went out

    MediaStreamConnection(MediaStreamEndpoint endpoint) {
        this.endpoint = endpoint;
        this.drops = new DropLog(endpoint.metrics(), System::nanoTime);
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        endpoint.checkUpgrade(prologue, headers);
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        this.session = session;
        this.reader = Thread.currentThread();
        long now = System.nanoTime();
        lastMessageNanos = now;
        budget = new MessageBudget(endpoint.limits(), now);
        if (!endpoint.admits(session.socketContext().remotePeer())) {
            endpoint.metrics().refusedUpgrade();
            closeFromReader(WsCloseCodes.VIOLATED_POLICY, "not allowed from this address",
                            "refused: not allowed from this address");
            return;
        }
        endpoint.watch().add(this);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        long now = System.nanoTime();
        lastMessageNanos = now;
        if (!admit(now)) {
            return;
        }
        int max = endpoint.maxMessageBytes();
        if (partial.length() + text.length() > max) {
            partial.setLength(0);
            drops.drop("oversized", "message larger than " + max + " bytes", callSid, streamSid);
            closeFromReader(WsCloseCodes.TOO_BIG, "message too big",
                            "stream closed by the server: a message over " + max + " bytes (1009)");
            return;
        }
        if (!last) {
            partial.append(text);
            return;
        }
        String message;
        if (partial.isEmpty()) {
            message = text; // the usual case: one frame, one message, no copy
        } else {
            message = partial.append(text).toString();
            partial.setLength(0);
        }
        StreamEvent event;
        try {
            event = MediaStreamCodec.parse(message);
        } catch (MediaStreamCodec.MalformedMessage e) {
            drops.drop("malformed", e.getMessage(), callSid, streamSid);
            return;
        }
        endpoint.metrics().received(event);
        handle(event);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        lastMessageNanos = System.nanoTime();
        if (admit(lastMessageNanos)) {
            drops.drop("binary", "binary frame of " + buffer.available() + " bytes (Twilio sends text)", callSid,
                       streamSid);
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        admit(System.nanoTime()); // counted against the rate like any frame; not a sign of a live call
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        admit(System.nanoTime());
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        end("stream closed by the peer (" + status + ")");
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "Media Stream error on call " + LogText.clean(callSid) + " stream "
                                             + LogText.clean(streamSid), t);
        end("stream error: " + t.getClass().getSimpleName());
    }

    @Override
    public boolean check(long nowNanos) {
        if (!reader.isAlive()) {
            end(LOST);
            return false;
        }
        long closing = closingSinceNanos;
        if (closing != 0) {
            if (nowNanos - closing > CLOSE_GRACE.toNanos()) {
                abort(); // the peer did not answer our close frame
            }
            return true; // until the reader thread is done
        }
        var idle = endpoint.limits().idleTimeout();
        if (!idle.isZero() && nowNanos - lastMessageNanos > idle.toNanos()) {
            var why = "no message for " + idle.toMillis() + " ms";
            end("connection lost: " + why);
            closingSinceNanos = nowNanos; // from now on the grace period runs, and this branch is not taken again
            Thread.ofVirtual().start(() -> sendClose(WsCloseCodes.VIOLATED_POLICY, why)); // may block on a stuck socket
        }
        return true;
    }

    @Override
    public void closing() {
        sendClose(WsCloseCodes.NORMAL_CLOSE, "call ended");
    }

    @Override
    public void sendFailed(RuntimeException e) {
        end("connection lost: a send failed (" + e.getClass().getSimpleName() + ")");
        closingSinceNanos = System.nanoTime();
        abort();
    }

    /** Charges one frame to the rate; false when it must be dropped (or the stream is over). */
    private boolean admit(long now) {
        if (ended) {
            return false;
        }
        return switch (budget.take(now)) {
            case ACCEPT -> true;
            case DROP -> {
                drops.drop("rate-limited", "over " + endpoint.limits().messagesPerSecond() + " messages a second",
                           callSid, streamSid);
                yield false;
            }
            case CLOSE -> {
                drops.drop("rate-limited", "still over the rate after " + endpoint.limits().strikes() + " dropped",
                           callSid, streamSid);
                closeFromReader(WsCloseCodes.VIOLATED_POLICY, "too many messages",
                                "stream closed by the server: too many messages (1008)");
                yield false;
            }
        };
    }

    private void handle(StreamEvent event) {
        switch (event) {
            case StreamEvent.Connected c -> {
                // nothing to do until start names the call
            }
            case StreamEvent.Start start -> start(start);
            case StreamEvent.Text text when !endpoint.admission().acceptsText() ->
                    drops.drop("text", "typed turns are accepted on the softphone only", callSid, streamSid);
            case StreamEvent.Stop stop -> {
                deliver(stop);
                var o = out;
                if (o != null) {
                    o.close();
                }
            }
            default -> deliver(event);
        }
    }

    private void start(StreamEvent.Start start) {
        if (started) {
            drops.drop("duplicate-start", "second start on one stream", callSid, streamSid);
            return;
        }
        started = true;
        var refusal = endpoint.admission().refuseStart(start);
        if (refusal.isPresent()) {
            refuse(start, "credential", refusal.get());
            return;
        }
        var entry = new ActiveCalls.ActiveCall(start.callSid(), start.streamSid(), start.parameter("from"),
                start.parameter("to"), start.parameter("flow"), endpoint.clock().instant());
        boolean claimed;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            claimed = endpoint.active().add(entry);
            if (claimed) {
                call = entry;
            }
        } finally {
            lock.unlock();
        }
        if (!claimed) {
            refuse(start, "duplicate-call", "the call already has a live stream");
            return;
        }
        callSid = start.callSid();
        streamSid = start.streamSid();
        var stream = new OutboundStream(session, streamSid, endpoint.metrics(), this);
        out = stream;
        CallHandler answered;
        try {
            answered = endpoint.calls().answer(start, stream);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Could not answer call " + LogText.clean(callSid), e);
            closeFromReader(WsCloseCodes.UNEXPECTED_CONDITION, "internal error", "the call could not be answered");
            return;
        }
        String endedMeanwhile = null; // a send of the greeting may already have failed
        lock.lock();
        try {
            if (ended) {
                endedMeanwhile = endReason;
            } else {
                handler = answered;
            }
        } finally {
            lock.unlock();
        }
        if (endedMeanwhile != null) {
            notify(answered, endedMeanwhile);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Call {0} started (stream {1}, from {2} to {3})", LogText.clean(callSid),
                LogText.clean(streamSid), LogText.clean(start.parameter("from")), LogText.clean(start.parameter("to")));
    }

    /** A start that may not go on: counted, logged and closed with 1008; no call is created. */
    private void refuse(StreamEvent.Start start, String reason, String why) {
        endpoint.metrics().refusedStream(reason);
        LOG.log(System.Logger.Level.WARNING, "Refused Media Stream {0} for call {1}: {2}; closing it with 1008",
                LogText.clean(start.streamSid()), LogText.clean(start.callSid()), why);
        closeFromReader(WsCloseCodes.VIOLATED_POLICY, "stream refused", "stream refused: " + why);
    }

    private void deliver(StreamEvent event) {
        var h = handler;
        if (h == null) {
            drops.drop("before-start", "event before start", callSid, streamSid);
            return;
        }
        try {
            h.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call " + LogText.clean(callSid) + " failed to handle "
                                               + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * On the reader thread: ends the stream, sends our close frame and drops the connection at
     * once, without waiting for the peer's close (a peer we close on is misbehaving, and may never
     * answer). Throwing Helidon's {@link CloseConnectionException} out of the listener is how a
     * connection's own thread ends it without a second close frame.
     */
    private void closeFromReader(int code, String reason, String endReason) {
        end(endReason);
        sendClose(code, reason);
        throw new CloseConnectionException("Media Stream closed by the server: " + reason);
    }

    /** Sends our close frame once, and starts the grace period for the peer's answer. */
    private void sendClose(int code, String reason) {
        if (!closeSent.compareAndSet(false, true)) {
            return;
        }
        closingSinceNanos = System.nanoTime();
        var o = out;
        if (o != null) {
            o.markClosed(); // nothing goes out after the close frame
        }
        try {
            session.close(code, reason);
        } catch (RuntimeException e) {
            abort(); // the connection is already broken
        }
    }

    /**
     * Cuts the connection from any thread. Helidon's WebSocket connection is its own
     * {@link ServerConnection}: {@code close(true)} stops its read loop and interrupts the reader
     * thread, and interrupting a virtual thread blocked on a socket closes that socket.
     */
    private void abort() {
        if (session instanceof ServerConnection connection) {
            connection.close(true);
        }
    }

    /** The stream is over: the call is told once, with why, and leaves the live list. Any thread. */
    private void end(String reason) {
        CallHandler h;
        ActiveCalls.ActiveCall c;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            endReason = reason;
            h = handler;
            c = call;
        } finally {
            lock.unlock();
        }
        var o = out;
        if (o != null) {
            o.markClosed();
        }
        drops.flush(callSid, streamSid);
        if (c != null) {
            endpoint.active().remove(c);
        }
        if (h != null) {
            notify(h, reason);
            LOG.log(System.Logger.Level.INFO, "Call {0} stream {1} ended: {2}", LogText.clean(callSid),
                    LogText.clean(streamSid), reason);
        }
    }

    private void notify(CallHandler h, String reason) {
        try {
            h.onStreamClosed(reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call " + LogText.clean(callSid) + " failed to close", e);
        }
    }
}
