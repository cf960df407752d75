package dev.dialtone.plugin;

import java.time.Duration;

/**
 * Bounds on what one plugin may use.
 *
 * <p>Time: each {@code run} stops at the plugin's {@code timeoutMs} (default {@link #defaultTimeout},
 * at most {@link #maxTimeout}) and after {@link #statementLimit} JavaScript statements.
 *
 * <p>Memory. GraalJS community has no heap limit (graaljs.md), so live memory is bounded by three
 * rules, and what a plugin may keep between runs is nothing:
 * <ul>
 *   <li>Each tool call runs in a context of its own, closed when the call ends: nothing a run creates,
 *       module-level variables included, survives into another call. Within one run, module state
 *       persists as usual, up to the allocation budget.</li>
 *   <li>A run (and the module's own start-up) is stopped, and its context closed, once its runner
 *       thread has allocated {@link #allocationBudgetBytes}. This counts allocation, garbage included
 *       (the interpreter allocates freely, so the budget is generous), which is an upper bound on what
 *       the run can hold. At most {@link #maxConcurrentRuns} runs proceed at once.</li>
 *   <li>No single {@code ArrayBuffer}, {@code SharedArrayBuffer} or typed array larger than
 *       {@link #maxBufferBytes}, and no string from {@code repeat}/{@code padStart}/{@code padEnd} longer
 *       than that many characters, is created at all: it is refused with a {@code RangeError} before
 *       anything is allocated (such an allocation is one step, which the watchdog would only see after
 *       it). Strings grown by concatenation are not covered: GraalJS builds them lazily and copies them
 *       in one step when first read, which the allocation budget stops only afterwards.</li>
 * </ul>
 * Up to {@link #warmContextsPerPlugin} contexts per plugin version wait, ready, for the next calls;
 * each holds only what the module's top-level code kept (the same in every context, within the
 * allocation budget). So all plugins together hold at most maxConcurrentRuns x allocationBudgetBytes
 * in running calls, plus the warm contexts' start-up state.
 *
 * <p>Output: results, fetched bodies and log lines are capped.
 */
public record PluginLimits(Duration defaultTimeout, Duration maxTimeout, long statementLimit,
                           long allocationBudgetBytes, int maxBufferBytes, int maxResultChars, int maxFetchBytes,
                           int maxSourceBytes, int maxContextsPerPlugin, int warmContextsPerPlugin, int maxConcurrentRuns) {

    public static PluginLimits defaults() {
        return new PluginLimits(Duration.ofSeconds(3), Duration.ofSeconds(20), 10_000_000L,
                256L << 20, 16 << 20, 32_000, 1 << 20, 256 << 10, 8, 2, 16);
    }

    public PluginLimits {
        if (defaultTimeout.isNegative() || defaultTimeout.isZero() || maxTimeout.compareTo(defaultTimeout) < 0) {
            throw new IllegalArgumentException("timeouts must be positive and maxTimeout >= defaultTimeout");
        }
        if (statementLimit < 1 || allocationBudgetBytes < 1 << 20 || maxBufferBytes < 1 << 10 || maxResultChars < 16
                || maxFetchBytes < 1 || maxSourceBytes < 1 || maxContextsPerPlugin < 1 || maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("plugin limits must be positive (allocation budget at least 1 MB, buffers 1 KB)");
        }
        if (warmContextsPerPlugin < 1 || warmContextsPerPlugin > maxContextsPerPlugin) {
            throw new IllegalArgumentException("warmContextsPerPlugin must be from 1 to maxContextsPerPlugin");
        }
    }

    public PluginLimits withAllocationBudget(long bytes) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, bytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns);
    }

    public PluginLimits withStatementLimit(long statements) {
        return new PluginLimits(defaultTimeout, maxTimeout, statements, allocationBudgetBytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns);
    }

    public PluginLimits withMaxBufferBytes(int bytes) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, allocationBudgetBytes, bytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns);
    }

    public PluginLimits withMaxConcurrentRuns(int runs) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, allocationBudgetBytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, runs);
    }
}
