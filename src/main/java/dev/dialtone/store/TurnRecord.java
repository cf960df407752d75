package dev.dialtone.store;

import java.util.List;
import java.util.Objects;

/**
 * One completed turn: what the caller said, what the agent said as far as the caller heard it,
 * whether the caller cut the agent off, the stage timings and the tool calls in order. Turns are
 * numbered from 0 within a call; writing the same index again replaces the turn.
 */
public record TurnRecord(String callSid, int index, String callerText, String agentText, boolean interrupted,
                         TurnTimings timings, List<ToolCallRecord> toolCalls) implements CallRecord {

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
}
