package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory a plugin can pin is bounded: nothing a run keeps outlives its tool call, a run that
 * allocates too much is stopped and counted, and other plugins and calls go on unaffected.
 */
class MemoryBoundTest {
    static final long MB = 1 << 20;
    static final long BUDGET = 64 * MB;
    static SimpleMeterRegistry meters;
    static PluginRuntime runtime;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        meters = new SimpleMeterRegistry();
        runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of(), PluginLimits.defaults().withAllocationBudget(BUDGET)), meters);
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    PluginTool plugin(String name, String body) throws Exception {
        var file = dir.resolve(name + ".js");
        Files.writeString(file, body);
        return runtime.load(file);
    }

    /** The result's JSON, or the failure's message. */
    static String invoke(PluginTool tool, String args) {
        return switch (tool.invoke(args, SandboxTest.call(new RecordedActions(), new CallState()))) {
            case ToolOutcome.Result result -> result.json();
            case ToolOutcome.Failure failure -> failure.message();
        };
    }

    static double counted(String meter, String... tags) {
        var counter = meters.find(meter).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void moduleStateDoesNotOutliveItsCall() throws Exception {
        var tool = plugin("remembers", "const seen = [];\n"
                + "export default { description: 'd', run(args) { seen.push(args); return { seen: seen.length }; } };");
        for (int i = 0; i < 3; i++) {
            assertThat(invoke(tool, "{}")).isEqualTo("{\"seen\":1}");
        }
    }

    @Test
    void memoryKeptAtModuleLevelIsReleasedWhenTheCallEnds() throws Exception {
        // Each run keeps 32 MB at module level, within its 64 MB budget; twelve runs would pin 384 MB if it stayed.
        var tool = plugin("hoarder", "const kept = [];\n"
                + "export default { description: 'd', timeoutMs: 15000, run() {\n"
                + "  for (let i = 0; i < 4; i++) kept.push(new Float64Array(1 << 20));\n"
                + "  return { arrays: kept.length }; } };");
        var results = new ArrayList<String>();
        results.add(invoke(tool, "{}"));
        long before = liveHeap();
        for (int i = 0; i < 12; i++) {
            results.add(invoke(tool, "{}"));
        }
        long grown = liveHeap() - before;
        // An upper bound with a wide margin (other threads allocate too): two budgets, not twelve runs' worth.
        assertThat(grown).as("live heap grown by %d MB", grown / MB).isLessThan(2 * BUDGET);
        assertThat(results).containsOnly("{\"arrays\":4}");
    }

    @Test
    void aRunThatAllocatesTooMuchIsStoppedCountedAndLeavesNothingBehind() throws Exception {
        var tool = plugin("grower", "const kept = [];\n"
                + "export default { description: 'd', timeoutMs: 15000, run(args) {\n"
                + "  while (args.grow) kept.push(new Float64Array(1 << 17));\n"
                + "  return { kept: kept.length }; } };");
        var neighbour = plugin("neighbour", "export default { description: 'd', run() { return { ok: true }; } };");
        assertThat(invoke(tool, "{\"grow\":true}")).isEqualTo("tool grower was stopped: it used more than 64 MB of memory");
        assertThat(counted("dialtone.plugin.runs.stopped", "plugin", "grower", "reason", "memory")).isEqualTo(1);
        assertThat(invoke(neighbour, "{}")).isEqualTo("{\"ok\":true}");
        assertThat(invoke(tool, "{}")).isEqualTo("{\"kept\":0}");
    }

    @Test
    void warmContextsServeCallsSoThatNoCallStartsOne() throws Exception {
        var tool = plugin("steady", "export default { description: 'd', run() { return 1; } };");
        for (int i = 0; i < 3; i++) {
            awaitWarm(tool, 1);
            assertThat(invoke(tool, "{}")).isEqualTo("1");
        }
        awaitWarm(tool, 2);
        assertThat(counted("dialtone.plugin.contexts.started", "plugin", "steady", "where", "call")).isZero();
        assertThat(counted("dialtone.plugin.contexts.started", "plugin", "steady", "where", "background")).isGreaterThanOrEqualTo(3);
    }

    static void awaitWarm(PluginTool tool, int contexts) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L; // generous: warming waits for a busy machine's CPU
        while (tool.warmContexts() < contexts) {
            assertThat(System.nanoTime()).as("warm contexts in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Heap in use after a full collection (ZGC collects synchronously on an explicit request). */
    static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
