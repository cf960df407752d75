package dev.dialtone.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * What a tool knows about the call it runs in: identifiers, the per-call state that prompt
 * templates read, and the sink for actions the conversation carries out; in a flow test, the
 * fixtures that stand in for the plugin's network and settings.
 */
public record ToolCallContext(String sid, String from, String to, String flow, Optional<String> node,
                              CallState state, CallActions actions, Optional<PluginFixtures> fixtures) {
    public ToolCallContext {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(actions, "actions");
        Objects.requireNonNull(fixtures, "fixtures");
    }

    /** A call's context: the plugin reaches the network and reads config.yaml's settings. */
    public ToolCallContext(String sid, String from, String to, String flow, Optional<String> node, CallState state,
                           CallActions actions) {
        this(sid, from, to, flow, node, state, actions, Optional.empty());
    }

    /** The same call, with a test's fixtures in place of the plugin's network and settings. */
    public ToolCallContext withFixtures(PluginFixtures fixtures) {
        return new ToolCallContext(sid, from, to, flow, node, state, actions, Optional.of(fixtures));
    }
}
