package dev.dialtone.plugin;

import java.time.Duration;

/**
 * Bounds on what one plugin may use.
 *
 * <p>Time: each {@code run} stops at the plugin's {@code timeoutMs} (default {@link #defaultTimeout},
 * at most {@link #maxTimeout}) and after {@link #statementLimit} JavaScript statements.
 *
 * <p>Memory. GraalJS community has no heap limit (graaljs.md), so live memory is bounded by these
 * rules, and what a plugin may keep between runs is its module state within one phone call:
 * <ul>
 *   <li>A phone call's tool calls of one plugin run in a context that the call keeps between them
 *       ({@link CallPlugins}) and that is closed when the call ends: nothing a run creates, module-level
 *       variables included, reaches another call. A tool call outside a phone call runs in a context of
 *       its own.</li>
 *   <li>A run (and the module's own start-up) is stopped, and its context closed, once its runner
 *       thread has allocated {@link #allocationBudgetBytes}. This counts allocation, garbage included
 *       (the interpreter allocates freely, so the budget is generous), which is an upper bound on what
 *       the run can hold. At most {@link #maxConcurrentRuns} runs proceed at once.</li>
 *   <li>A context is kept for the call's next run only after a run that succeeded, and only while its
 *       start and all its runs together have allocated at most {@link #keptAllocationBytes} (counted
 *       the same way: an upper bound on what it holds); otherwise it is closed and the next run gets a
 *       new one. At most {@link #maxKeptContexts} are kept at once, all plugins and calls together (0
 *       keeps none), and one per call and plugin version.</li>
 *   <li>No single {@code ArrayBuffer}, {@code SharedArrayBuffer} or typed array larger than
 *       {@link #maxBufferBytes}, and no string from {@code repeat}/{@code padStart}/{@code padEnd} longer
 *       than that many characters, is created at all: it is refused with a {@code RangeError} before
 *       anything is allocated (such an allocation is one step, which the watchdog would only see after
 *       it). Strings grown by concatenation are not covered: GraalJS builds them lazily and copies them
 *       in one step when first read, which the allocation budget stops only afterwards.</li>
 * </ul>
 * Up to {@link #warmContextsPerPlugin} contexts per plugin version wait, ready, for the next calls;
 * each holds only what the module's top-level code kept (the same in every context, within the
 * allocation budget). So all plugins together hold at most maxConcurrentRuns x (allocationBudgetBytes
 * + keptAllocationBytes) in running calls, plus maxKeptContexts x keptAllocationBytes between runs,
 * plus the warm contexts' start-up state. Those are bounds on allocation; what a kept context of the
 * shipped plugins really retains is measured by {@code PluginBench} (README, Performance).
 *
 * <p>Output: results, fetched bodies and log lines are capped.
 */
public record PluginLimits(Duration defaultTimeout, Duration maxTimeout, long statementLimit,
                           long allocationBudgetBytes, int maxBufferBytes, int maxResultChars, int maxFetchBytes,
                           int maxSourceBytes, int maxContextsPerPlugin, int warmContextsPerPlugin, int maxConcurrentRuns,
                           int maxKeptContexts, long keptAllocationBytes) {

    public static PluginLimits defaults() {
        return new PluginLimits(Duration.ofSeconds(3), Duration.ofSeconds(20), 10_000_000L,
                256L << 20, 16 << 20, 32_000, 1 << 20, 256 << 10, 8, 2, 16, 512, 32L << 20);
    }

    public PluginLimits {
        if (defaultTimeout.isNegative() || defaultTimeout.isZero() || maxTimeout.compareTo(defaultTimeout) < 0) {
            throw new IllegalArgumentException("timeouts must be positive and maxTimeout >= defaultTimeout");
        }
        if (statementLimit < 1 || allocationBudgetBytes < 1 << 20 || maxBufferBytes < 1 << 10 || maxResultChars < 16
                || maxFetchBytes < 1 || maxSourceBytes < 1 || maxContextsPerPlugin < 1 || maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("plugin limits must be positive (allocation budget at least 1 MB, buffers 1 KB)");
        }
        if (maxKeptContexts < 0 || keptAllocationBytes < 0) {
            throw new IllegalArgumentException("maxKeptContexts and keptAllocationBytes must be 0 (keep none) or more");
        }
        if (warmContextsPerPlugin < 1 || warmContextsPerPlugin > maxContextsPerPlugin) {
            throw new IllegalArgumentException("warmContextsPerPlugin must be from 1 to maxContextsPerPlugin");
        }
    }

    public PluginLimits withAllocationBudget(long bytes) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, bytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns, maxKeptContexts,
                keptAllocationBytes);
    }

    public PluginLimits withStatementLimit(long statements) {
        return new PluginLimits(defaultTimeout, maxTimeout, statements, allocationBudgetBytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns, maxKeptContexts,
                keptAllocationBytes);
    }

    public PluginLimits withMaxBufferBytes(int bytes) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, allocationBudgetBytes, bytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns, maxKeptContexts,
                keptAllocationBytes);
    }

    public PluginLimits withMaxConcurrentRuns(int runs) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, allocationBudgetBytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, runs, maxKeptContexts, keptAllocationBytes);
    }

    public PluginLimits withKeptContexts(int contexts, long allocationBytes) {
        return new PluginLimits(defaultTimeout, maxTimeout, statementLimit, allocationBudgetBytes, maxBufferBytes, maxResultChars,
                maxFetchBytes, maxSourceBytes, maxContextsPerPlugin, warmContextsPerPlugin, maxConcurrentRuns, contexts, allocationBytes);
    }
}
