package dev.dialtone.plugin;

import java.time.Duration;

/**
 * Bounds on what one plugin may use. Time: each {@code run} stops at the plugin's {@code timeoutMs}
 * (default {@link #defaultTimeout}, at most {@link #maxTimeout}) and after {@link #statementLimit}
 * JavaScript statements. Memory: a run (and the module's own start-up) is stopped once its runner
 * thread has allocated {@link #allocationBudgetBytes}; GraalJS community has no heap limit, so this
 * counts allocation (garbage included: the interpreter allocates freely, so the budget is generous)
 * rather than live heap, and at most {@link #maxConcurrentRuns} runs proceed at once, so what all
 * plugins together can hold is bounded by maxConcurrentRuns x allocationBudgetBytes. Output: results, fetched bodies and log lines are capped.
 */
public record PluginLimits(Duration defaultTimeout, Duration maxTimeout, long statementLimit,
                           long allocationBudgetBytes, int maxResultChars, int maxFetchBytes,
                           int maxSourceBytes, int maxContextsPerPlugin, int maxConcurrentRuns) {

    public static PluginLimits defaults() {
        return new PluginLimits(Duration.ofSeconds(3), Duration.ofSeconds(20), 10_000_000L,
                256L << 20, 32_000, 1 << 20, 256 << 10, 8, 16);
    }

    public PluginLimits {
        if (defaultTimeout.isNegative() || defaultTimeout.isZero() || maxTimeout.compareTo(defaultTimeout) < 0) {
            throw new IllegalArgumentException("timeouts must be positive and maxTimeout >= defaultTimeout");
        }
        if (statementLimit < 1 || allocationBudgetBytes < 1 << 20 || maxResultChars < 16 || maxFetchBytes < 1
                || maxSourceBytes < 1 || maxContextsPerPlugin < 1 || maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("plugin limits must be positive (allocation budget at least 1 MB)");
        }
    }

    public PluginLimits withAllocationBudget(long bytes) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, bytes, maxResultChars, maxFetchBytes,
                maxSourceBytes, maxContextsPerPlugin, maxConcurrentRuns);
    }

    public PluginLimits withStatementLimit(long statements) {
        return new PluginLimits(defaultTimeout, maxTimeout, statements, allocationBudgetBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, maxConcurrentRuns);
    }
}
