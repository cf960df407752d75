package dev.dialtone.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * What a tool knows about the call it runs in: identifiers, the per-call state that prompt
 * templates read, and the sink for actions the conversation carries out.
 */
public record ToolCallContext(String sid, String from, String to, String flow, Optional<String> node,
                              CallState state, CallActions actions) {
    public ToolCallContext {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(actions, "actions");
    }
}
