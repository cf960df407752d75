package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory a plugin can pin is bounded: nothing a run keeps outlives its phone call, nor a kept
 * context's allocation budget; a run that allocates too much is stopped and counted, a single huge
 * buffer is refused before it exists, and other plugins and calls go on unaffected.
 */
class MemoryBoundTest {
    static final long MB = 1 << 20;
    static final long BUDGET = 64 * MB;
    static final String TOO_BIG = "is larger than a plugin may allocate at once (16777216 ";
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

    /** The result's JSON, or the failure's message, of a tool call outside a phone call. */
    static String invoke(PluginTool tool, String args) {
        return invoke(tool, args, CallPlugins.none());
    }

    /** The result's JSON, or the failure's message, of a tool call of the phone call that keeps {@code plugins}. */
    static String invoke(PluginTool tool, String args, CallPlugins plugins) {
        var call = new ToolCallContext("CA1", "+15551230000", "+15550001111", "luigis", Optional.empty(), new CallState(),
                new RecordedActions(), plugins);
        return switch (tool.invoke(args, call)) {
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
            try (var phoneCall = new CallPlugins()) {
                assertThat(invoke(tool, "{}", phoneCall)).isEqualTo("{\"seen\":1}");
                assertThat(invoke(tool, "{}", phoneCall)).isEqualTo("{\"seen\":2}");
            }
            assertThat(invoke(tool, "{}")).isEqualTo("{\"seen\":1}");
        }
    }

    @Test
    void memoryKeptAtModuleLevelIsReleasedWhenTheCallEndsOrPassesTheBudget() throws Exception {
        // Each run keeps 32 MB at module level, within its 64 MB run budget but over a kept context's 32 MB:
        // the call does not keep its context. Twelve calls of two runs would pin 768 MB if it stayed.
        var tool = plugin("hoarder", "const kept = [];\n"
                + "export default { description: 'd', timeoutMs: 15000, run() {\n"
                + "  for (let i = 0; i < 4; i++) kept.push(new Float64Array(1 << 20));\n"
                + "  return { arrays: kept.length }; } };");
        var results = new ArrayList<String>();
        results.add(invoke(tool, "{}"));
        long before = liveHeap();
        for (int i = 0; i < 12; i++) {
            try (var phoneCall = new CallPlugins()) {
                results.add(invoke(tool, "{}", phoneCall));
                results.add(invoke(tool, "{}", phoneCall));
            }
        }
        long grown = liveHeap() - before;
        // An upper bound with a wide margin (other threads allocate too): two budgets, not 24 runs' worth.
        assertThat(grown).as("live heap grown by %d MB", grown / MB).isLessThan(2 * BUDGET);
        assertThat(results).containsOnly("{\"arrays\":4}");
        assertThat(counted("dialtone.plugin.contexts.discarded", "plugin", "hoarder", "reason", "budget")).isEqualTo(24);
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
    void aHugeBufferIsRefusedBeforeItIsAllocated() throws Exception {
        var tool = plugin("huge", """
                const n = 700 * 1024 * 1024;
                class Bigger extends ArrayBuffer {}
                const ways = {
                  buffer: () => new ArrayBuffer(n),
                  shared: () => new SharedArrayBuffer(n),
                  floats: () => new Float64Array(n / 8),
                  arrayLike: () => new Uint8Array({ length: n }),
                  sparseArray: () => new Float64Array(new Array(n / 8)),
                  from: () => Uint8Array.from({ length: n }),
                  copy: () => new Float64Array(new Uint8Array(8 << 20)),
                  resizable: () => new ArrayBuffer(8, { maxByteLength: n }),
                  transfer: () => new ArrayBuffer(8).transfer(n),
                  subclass: () => new Bigger(n),
                  viaInstance: () => new (new Uint8Array(1).buffer.constructor)(n),
                  reflect: () => Reflect.construct(ArrayBuffer, [n]),
                  repeat: () => 'ab'.repeat(n),
                  pad: () => 'x'.padEnd(n),
                };
                export default {
                  description: 'd',
                  timeoutMs: 15000,
                  run(args) { return ways[args.way]().constructor.name; }
                };
                """);
        var neighbour = plugin("next_door", "export default { description: 'd', run() { return { ok: true }; } };");
        var ways = Map.ofEntries(Map.entry("buffer", "ArrayBuffer of 734003200 bytes"),
                Map.entry("shared", "SharedArrayBuffer of 734003200 bytes"), Map.entry("floats", "Float64Array of 734003200 bytes"),
                Map.entry("arrayLike", "Uint8Array of 734003200 bytes"), Map.entry("sparseArray", "Float64Array of 734003200 bytes"),
                Map.entry("from", "Uint8Array of 734003200 bytes"), Map.entry("copy", "Float64Array of 67108864 bytes"),
                Map.entry("resizable", "ArrayBuffer of 734003200 bytes"), Map.entry("transfer", "ArrayBuffer of 734003200 bytes"),
                Map.entry("subclass", "ArrayBuffer of 734003200 bytes"), Map.entry("viaInstance", "ArrayBuffer of 734003200 bytes"),
                Map.entry("reflect", "ArrayBuffer of 734003200 bytes"), Map.entry("repeat", "string of 1468006400 characters"),
                Map.entry("pad", "string of 734003200 characters"));
        ways.forEach((way, what) -> {
            assertThat(invoke(tool, "{\"way\":\"" + way + "\"}")).as(way)
                    .startsWith("tool huge failed: RangeError: " + what + " " + TOO_BIG);
            assertThat(invoke(neighbour, "{}")).isEqualTo("{\"ok\":true}");
        });
        assertThat(counted("dialtone.plugin.allocations.refused", "plugin", "huge")).isEqualTo(ways.size());
    }

    @Test
    void aSizeIsReadOnceSoTheCheckAndTheAllocationAgree() throws Exception {
        var tool = simple("two_faced", """
                let asked = 0;
                const size = { valueOf() { asked++; return asked === 1 ? 8 : 700 * 1024 * 1024; } };
                let reads = 0;
                const arrayLike = { get length() { reads++; return reads === 1 ? 2 : 700 * 1024 * 1024; } };
                return [new ArrayBuffer(size).byteLength, asked, new Uint8Array(arrayLike).length, reads];
                """);
        assertThat(invoke(tool, "{}")).isEqualTo("[8,1,2,1]");
    }

    @Test
    void buffersWithinTheLimitWorkAsBefore() throws Exception {
        var tool = simple("ordinary", """
                const buffer = new ArrayBuffer(16, { maxByteLength: 64 });
                buffer.resize(32);
                const view = new Uint8Array(buffer, 4, 8);
                view.set([1, 2, 3]);
                const copy = new Float64Array(view);
                const fromArray = new Int16Array([5, 6, 7]);
                const fromSet = new Uint8Array(new Set([9, 8]));
                class Tagged extends Uint8Array {}
                const tagged = new Tagged(3);
                return [buffer.byteLength, view.length, copy[2], fromArray[1], [...fromSet].join(), tagged instanceof Uint8Array,
                        tagged.constructor.name, Uint8Array.BYTES_PER_ELEMENT, 'ab'.repeat(3), '7'.padStart(3, '0'),
                        new Uint8Array(4).buffer instanceof ArrayBuffer, new ArrayBuffer(4).transfer(8).byteLength];
                """);
        assertThat(invoke(tool, "{}")).isEqualTo("[32,8,3,6,\"9,8\",true,\"Tagged\",1,\"ababab\",\"007\",true,8]");
    }

    @Test
    void aHugeBufferAtModuleLevelFailsTheLoad() throws Exception {
        var file = dir.resolve("huge_at_load.js");
        Files.writeString(file, "const table = new ArrayBuffer(700 * 1024 * 1024);\n"
                + "export default { description: 'd', run() { return 1; } };\n");
        assertThatThrownBy(() -> runtime.load(file)).isInstanceOf(PluginException.class)
                .hasMessage(file + ":1: plugin huge_at_load failed while loading: RangeError: ArrayBuffer of 734003200 bytes "
                        + TOO_BIG + "bytes)");
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

    PluginTool simple(String name, String runBody) throws Exception {
        return plugin(name, "export default { description: 'd', run() {\n" + runBody + "} };");
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
