package dev.dialtone.trace;

import java.time.Instant;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * One call's open spans: the call's, and the turn's while one is open. A turn span opens with the
 * turn's first LLM request (so that the requests are its children) or, for a turn without one, when
 * the turn is recorded; it ends when the turn is recorded.
 */
final class CallSpans {
    private final Tracer tracer;
    private final String callSid;
    final Span call;
    private Span turn; // guarded by this

    CallSpans(Tracer tracer, String callSid, Span call) {
        this.tracer = tracer;
        this.callSid = callSid;
        this.call = call;
    }

    synchronized Context requestParent(boolean opensTurn) {
        if (turn == null && opensTurn) {
            turn = open(null);
        }
        return Context.root().with(turn != null ? turn : call);
    }

    /** The open turn span, closed to new requests; the caller ends it. Opened at {@code start} if none is. */
    synchronized Span finishTurn(Instant start) {
        var span = turn != null ? turn : open(start);
        turn = null;
        return span;
    }

    /** The call ended during a turn: its span ends unrecorded, marked so. */
    synchronized void endTurn() {
        if (turn != null) {
            turn.setAttribute("dialtone.unfinished", true);
            turn.end();
            turn = null;
        }
    }

    private Span open(Instant start) {
        var builder = tracer.spanBuilder("turn").setParent(Context.root().with(call)).setAttribute(CallTracer.CALL_SID, callSid);
        if (start != null) {
            builder.setStartTimestamp(start);
        }
        return builder.startSpan();
    }
}
