package dev.dialtone.telephony;

import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * One Twilio Media Stream socket. It parses each message, creates the call's {@link CallHandler}
 * on a {@code start} that is bound to its call ({@link StreamAdmission#refuseStart}, one live
 * stream per CallSid; otherwise the socket is closed with 1008) and feeds it the rest. Bad input
 * (malformed JSON, unknown events, media before start, binary frames, typed turns where they are
 * not allowed) is logged with the call's ids and dropped: it never harms this call's handler, let
 * alone another call. All fields are owned by the socket's reader thread.
 */
final class MediaStreamConnection implements WsListener {
    private static final System.Logger LOG = System.getLogger(MediaStreamConnection.class.getName());

    private final MediaStreamEndpoint endpoint;
    private final StringBuilder partial = new StringBuilder();
    private WsSession session;
    private OutboundStream out;
    private CallHandler handler;
    private ActiveCalls.ActiveCall call;
    private boolean started;
    private String callSid = "?";
    private String streamSid = "?";
    private boolean closed;

    MediaStreamConnection(MediaStreamEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        endpoint.checkUpgrade(prologue, headers);
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        this.session = session;
        if (!endpoint.admits(session.socketContext().remotePeer())) {
            endpoint.metrics().refusedUpgrade();
            closed = true;
            session.close(WsCloseCodes.VIOLATED_POLICY, "not allowed from this address");
        }
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (closed) {
            return;
        }
        if (partial.length() + text.length() > endpoint.maxMessageBytes()) {
            reject("oversized", "message larger than " + endpoint.maxMessageBytes() + " bytes");
            partial.setLength(0);
            session.close(WsCloseCodes.TOO_BIG, "message too big");
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
            reject("malformed", e.getMessage());
            return;
        }
        endpoint.metrics().received(event);
        handle(event);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        reject("binary", "binary frame of " + buffer.available() + " bytes (Twilio sends text)");
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        finish();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "Media Stream error on call " + callSid + " stream " + streamSid, t);
        finish();
    }

    private void handle(StreamEvent event) {
        switch (event) {
            case StreamEvent.Connected c -> {
                // nothing to do until start names the call
            }
            case StreamEvent.Start start -> start(start);
            case StreamEvent.Text text when !endpoint.admission().acceptsText() ->
                    reject("text", "typed turns are accepted on the softphone only");
            case StreamEvent.Stop stop -> {
                deliver(stop);
                if (out != null) {
                    out.close();
                }
            }
            default -> deliver(event);
        }
    }

    private void start(StreamEvent.Start start) {
        if (started) {
            reject("duplicate-start", "second start on one stream");
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
        if (!endpoint.active().add(entry)) {
            refuse(start, "duplicate-call", "the call already has a live stream");
            return;
        }
        call = entry;
        callSid = start.callSid();
        streamSid = start.streamSid();
        out = new OutboundStream(session, streamSid, endpoint.metrics());
        try {
            handler = endpoint.calls().answer(start, out);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Could not answer call " + LogText.clean(callSid), e);
            out.close();
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Call {0} started (stream {1}, from {2} to {3})",
                callSid, streamSid, start.parameter("from"), start.parameter("to"));
    }

    /** A start that may not go on: counted, logged and closed with 1008; no call is created. */
    private void refuse(StreamEvent.Start start, String reason, String why) {
        endpoint.metrics().refusedStream(reason);
        LOG.log(System.Logger.Level.WARNING, "Refused Media Stream {0} for call {1}: {2}; closing it with 1008",
                LogText.clean(start.streamSid()), LogText.clean(start.callSid()), why);
        closed = true;
        session.close(WsCloseCodes.VIOLATED_POLICY, "stream refused");
    }

    private void deliver(StreamEvent event) {
        if (handler == null) {
            reject("before-start", "event before start");
            return;
        }
        try {
            handler.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call " + callSid + " failed to handle " + event.getClass().getSimpleName(), e);
        }
    }

    private void finish() {
        if (closed) {
            return;
        }
        closed = true;
        if (out != null) {
            out.markClosed();
        }
        if (call != null) {
            endpoint.active().remove(call);
        }
        if (handler != null) {
            try {
                handler.onStreamClosed();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Call " + callSid + " failed to close", e);
            }
            LOG.log(System.Logger.Level.INFO, "Call {0} stream closed", callSid);
        }
    }

    private void reject(String reason, String detail) {
        endpoint.metrics().rejected(reason);
        LOG.log(System.Logger.Level.WARNING, "Call {0} stream {1}: dropped message ({2})", callSid, streamSid, detail);
    }
}
