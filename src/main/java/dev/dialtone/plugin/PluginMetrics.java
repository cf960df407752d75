package dev.dialtone.plugin;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters of plugin runs that hit a limit, of the contexts started for them and of those a phone
 * call kept or gave up, tagged by plugin; and a gauge of the contexts calls keep now.
 * Every method is thread-safe and cheap (Micrometer caches the counters by name and tags).
 */
final class PluginMetrics {
    /** Why a run was stopped, as the {@code reason} tag says it. */
    enum Stop {
        TIME, MEMORY, STATEMENTS, CANCELLED, BUSY
    }

    /** Why a context that a phone call could have kept was closed after its run instead. */
    enum Discard {
        /** The run failed or was stopped. */
        FAILED,
        /** Its start and runs together allocated more than {@link PluginLimits#keptAllocationBytes}. */
        BUDGET,
        /** The runtime already keeps {@link PluginLimits#maxKeptContexts}. */
        FULL,
        /** The call already keeps one of this plugin (from a run beside it). */
        SPARE
    }

    private final MeterRegistry registry;

    PluginMetrics(MeterRegistry registry, AtomicInteger kept) {
        this.registry = registry;
        Gauge.builder("dialtone.plugin.contexts.kept", kept, AtomicInteger::get)
                .description("Plugin contexts that phone calls keep between their tool calls now")
                .register(registry);
    }

    /** A context a call could have kept was closed; see {@link Discard}. */
    void discarded(String plugin, Discard why) {
        Counter.builder("dialtone.plugin.contexts.discarded")
                .description("Plugin contexts closed after a run instead of being kept for the call's next tool call")
                .tag("plugin", plugin).tag("reason", why.name().toLowerCase())
                .register(registry).increment();
    }

    /** A run used the context its call kept (no context started for it). */
    void reused(String plugin) {
        Counter.builder("dialtone.plugin.contexts.reused")
                .description("Plugin runs in a context their phone call kept from an earlier tool call")
                .tag("plugin", plugin).register(registry).increment();
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
                .description("Plugin contexts started: each serves one phone call's tool calls of that plugin, at most")
                .tag("plugin", plugin).tag("where", onCallPath ? "call" : "background")
                .register(registry).increment();
    }
}
