package dev.dialtone.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One completed turn: what the caller said, what the agent said as far as the caller heard it,
 * whether the caller cut the agent off, the stage timings and the tool calls in order. Turns are
 * numbered from 0 within a call; writing the same index again replaces the turn.
 *
 * @param startedAt when the turn began (the caller's words or keys arrived, or the agent began a
 *                  line of its own); null when not known. A replay orders turns and keys by it.
 */
public record TurnRecord(String callSid, int index, String callerText, String agentText, boolean interrupted,
                         TurnTimings timings, List<ToolCallRecord> toolCalls, Instant startedAt) implements CallRecord {

    public TurnRecord {
        Require.sid(callSid);
        if (index < 0) {
            throw new IllegalArgumentException("turn index must not be negative, got " + index);
        }
        callerText = Require.orEmpty(callerText);
        agentText = Require.orEmpty(agentText);
        timings = Objects.requireNonNullElse(timings, TurnTimings.NONE);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A turn whose start is not known. */
    public TurnRecord(String callSid, int index, String callerText, String agentText, boolean interrupted,
                      TurnTimings timings, List<ToolCallRecord> toolCalls) {
        this(callSid, index, callerText, agentText, interrupted, timings, toolCalls, null);
    }
}
