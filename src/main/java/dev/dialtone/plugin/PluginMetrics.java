package dev.dialtone.plugin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters of plugin runs that hit a limit, and of the contexts started for them, tagged by plugin.
 * Every method is thread-safe and cheap (Micrometer caches the counters by name and tags).
 */
final class PluginMetrics {
    /** Why a run was stopped, as the {@code reason} tag says it. */
    enum Stop {
        TIME, MEMORY, STATEMENTS, CANCELLED, BUSY
    }

    private final MeterRegistry registry;

    PluginMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A run stopped by a limit; its context was closed and its tool call failed. */
    void stopped(String plugin, Stop why) {
        Counter.builder("dialtone.plugin.runs.stopped")
                .description("Plugin runs stopped by a limit (their context is closed, their tool call fails)")
                .tag("plugin", plugin).tag("reason", why.name().toLowerCase())
                .register(registry).increment();
    }

    /** A single buffer or string over {@link PluginLimits#maxBufferBytes} refused before it was allocated. */
    void refused(String plugin) {
        Counter.builder("dialtone.plugin.allocations.refused")
                .description("Single plugin allocations refused for their size before anything was allocated")
                .tag("plugin", plugin).register(registry).increment();
    }

    /**
     * A context started for a plugin: ahead of calls, in the background, or on a call's own path
     * (no warm context was ready, so that call waited for it).
     */
    void contextStarted(String plugin, boolean onCallPath) {
        Counter.builder("dialtone.plugin.contexts.started")
                .description("Plugin contexts started: each serves one tool call")
                .tag("plugin", plugin).tag("where", onCallPath ? "call" : "background")
                .register(registry).increment();
    }
}
