package dev.dialtone.conversation;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Redaction;
import dev.dialtone.flow.TransferSpec;
import dev.dialtone.llm.ChatModel;

/**
 * A call on hold for a warm transfer: what the conversation leaves behind when its stream ends,
 * for the briefing and, if the human does not take the call, for the conversation that takes the
 * caller back. Its transcript stays open (not ended) meanwhile. {@code state} is the raw state,
 * {@code masked} the keys whose values are shown masked.
 */
public record HeldCall(String callSid, String from, String to, String direction, FlowVersion flow, ChatModel llm,
                       TransferSpec spec, CallTranscript transcript, Optional<String> node, Map<String, String> state,
                       Set<String> masked) {
    public HeldCall {
        state = Map.copyOf(state);
        masked = Set.copyOf(masked);
    }

    static HeldCall of(CallScope scope, TransferSpec spec) {
        return new HeldCall(scope.call.sid(), scope.call.from(), scope.call.to(), scope.transcript.direction(), scope.flow,
                            scope.llm, spec, scope.transcript, scope.node(), scope.state.snapshot(), scope.masked);
    }

    /** The state as templates show it: masked values masked. */
    Map<String, String> shownState() {
        var shown = new TreeMap<>(state);
        masked.forEach(k -> shown.computeIfPresent(k, (key, v) -> Redaction.mask(v)));
        return shown;
    }
}
