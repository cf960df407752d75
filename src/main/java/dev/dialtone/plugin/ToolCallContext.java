package dev.dialtone.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * What a tool knows about the call it runs in: identifiers, the per-call state that prompt
 * templates read, the sink for actions the conversation carries out, and the plugin contexts the
 * call keeps between its tool calls; in a flow test, the fixtures that stand in for the plugin's
 * network and settings.
 */
public record ToolCallContext(String sid, String from, String to, String flow, Optional<String> node,
                              CallState state, CallActions actions, CallPlugins plugins,
                              Optional<PluginFixtures> fixtures) {
    public ToolCallContext {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(actions, "actions");
        Objects.requireNonNull(plugins, "plugins");
        Objects.requireNonNull(fixtures, "fixtures");
    }

    /**
     * A phone call's context: the plugin reaches the network and reads config.yaml's settings, and
     * its contexts may be kept in {@code plugins} for the call's later tool calls.
     */
    public ToolCallContext(String sid, String from, String to, String flow, Optional<String> node, CallState state,
                           CallActions actions, CallPlugins plugins) {
        this(sid, from, to, flow, node, state, actions, plugins, Optional.empty());
    }

    /** A context that keeps no plugin context: each tool call runs in a fresh one. */
    public ToolCallContext(String sid, String from, String to, String flow, Optional<String> node, CallState state,
                           CallActions actions) {
        this(sid, from, to, flow, node, state, actions, CallPlugins.none());
    }

    /** The same call, with a test's fixtures in place of the plugin's network and settings. */
    public ToolCallContext withFixtures(PluginFixtures fixtures) {
        return new ToolCallContext(sid, from, to, flow, node, state, actions, plugins, Optional.of(fixtures));
    }
}
