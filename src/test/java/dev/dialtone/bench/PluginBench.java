package dev.dialtone.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.sun.management.OperatingSystemMXBean;

import dev.dialtone.plugin.CallPlugins;
import dev.dialtone.plugin.CallState;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.plugin.PluginTool;
import dev.dialtone.plugin.RecordedActions;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;

/**
 * What one plugin tool call costs: the shipped {@code menu_price} and {@code find_slots} plugins,
 * called one at a time with a pause between calls (tool calls in a conversation are seconds apart,
 * so background work between them is free of the caller's path). Prints, per plugin, the caller's
 * latency (invoke to outcome) p50/p90/p99 and the process CPU per call, which includes any context
 * started or closed in the background. Three ways: tool calls of phone calls ({@value #RUNS_PER_CALL}
 * per phone call, which keeps its context between them and closes it at its end, as the server
 * does); a fresh context for every tool call (a tool call without a phone call's {@code CallPlugins});
 * and a retired version, which starts a context on the caller's path for a phone call's first tool
 * call, the cost when no warm context is ready. Then the heap that kept contexts retain: live heap
 * after a full collection with {@value #HELD_CALLS} phone calls each keeping both plugins' contexts
 * (after {@value #RUNS_PER_CALL} runs each), against none. Each way may run alone, in a JVM of its own ({@code kept}, {@code fresh}, {@code retired},
 * {@code heap} after the number of calls), so that none gains from the JIT work of the one before. Run it with
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java $(cat target/jvm.flags) -Xmx2g -Djava.util.logging.config.file=/dev/null \
 *      -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" dev.dialtone.bench.PluginBench [calls [way...]]
 * </pre>
 */
public final class PluginBench {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final long PAUSE_MS = 100;

    /** {@code jitMicrosPerCall}: the JIT compiler threads' CPU over the same span (part of the process CPU). */
    private record Figures(List<Long> micros, double cpuMicrosPerCall, double jitMicrosPerCall) {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length == 0 ? 300 : Integer.parseInt(args[0]);
        var ways = args.length < 2 ? List.of(Way.values()) : Arrays.stream(args, 1, args.length).map(w -> Way.valueOf(w.toUpperCase(Locale.ROOT))).toList();
        System.out.printf(Locale.ROOT, "Dialtone plugin benchmark: %d calls per plugin, %d ms apart, after %d warm-up calls; %d cores%n",
                calls, PAUSE_MS, calls / 2, Runtime.getRuntime().availableProcessors());
        try (var runtime = new PluginRuntime(PluginSettings.none())) {
            for (var way : ways) {
                if (way == Way.HEAP) {
                    retained(runtime);
                    continue;
                }
                System.out.println("\n" + way.title + ":");
                System.out.println("| plugin | latency p50 / p90 / p99 us | CPU us per call | of which JIT |");
                System.out.println("|---|---|---:|---:|");
                for (var name : List.of("menu_price", "find_slots")) {
                    var tool = runtime.load(Path.of("plugins", name + ".js"));
                    if (way == Way.RETIRED) {
                        tool.close();
                    }
                    measure(tool, PLUGINS.get(name), calls / 2, way);
                    var f = measure(tool, PLUGINS.get(name), calls, way);
                    System.out.printf(Locale.ROOT, "| %s | %d / %d / %d | %.0f | %.0f |%n", name, pct(f.micros(), 50), pct(f.micros(), 90),
                            pct(f.micros(), 99), f.cpuMicrosPerCall(), f.jitMicrosPerCall());
                    tool.close();
                }
            }
        }
    }

    private static final Map<String, String> PLUGINS =
            Map.of("menu_price", "{\"item\":\"Large Pepperoni\"}", "find_slots", "{\"date\":\"2026-03-03\"}");
    private static final int RUNS_PER_CALL = 10;
    private static final int HELD_CALLS = 200;

    private enum Way {
        KEPT("tool calls of phone calls (" + RUNS_PER_CALL + " per phone call, its context kept between them)"),
        FRESH("a fresh context for every tool call"),
        RETIRED("retired version (a phone call's first tool call starts a context on the caller's path)"),
        HEAP("heap kept contexts retain");

        final String title;

        Way(String title) {
            this.title = title;
        }
    }

    private static Figures measure(PluginTool tool, String argumentsJson, int calls, Way way) throws InterruptedException {
        var micros = new ArrayList<Long>(calls);
        long cpu0 = OS.getProcessCpuTime();
        long jit0 = jitCpuMicros();
        var plugins = new CallPlugins();
        for (int i = 0; i < calls; i++) {
            if (way != Way.FRESH && i % RUNS_PER_CALL == 0) {
                plugins.close(); // the phone call ends; the next begins
                plugins = new CallPlugins();
            }
            Thread.sleep(PAUSE_MS);
            long t0 = System.nanoTime();
            var outcome = tool.invoke(argumentsJson, context(way == Way.FRESH ? CallPlugins.none() : plugins));
            micros.add((System.nanoTime() - t0) / 1_000);
            if (outcome instanceof ToolOutcome.Failure failure) {
                throw new IllegalStateException(failure.message());
            }
        }
        plugins.close();
        Thread.sleep(PAUSE_MS); // the last call's background work, if any, is counted too
        return new Figures(micros, (OS.getProcessCpuTime() - cpu0) / 1_000.0 / calls,
                (jitCpuMicros() - jit0) / (double) calls);
    }

    /**
     * Live heap and RSS with {@value #HELD_CALLS} phone calls each keeping a context of both plugins (after
     * {@value #RUNS_PER_CALL} runs of each), against none; first the same runs without keeping, whose RSS
     * growth is the allocation churn alone (ZGC commits heap for the garbage too).
     */
    private static void retained(PluginRuntime runtime) throws Exception {
        var tools = new ArrayList<PluginTool>();
        for (var name : List.of("menu_price", "find_slots")) {
            tools.add(runtime.load(Path.of("plugins", name + ".js")));
        }
        for (var keep : List.of(false, true)) {
            Thread.sleep(2_000); // the warm contexts are started
            long heap0 = liveHeap();
            long rss0 = rss();
            var calls = new ArrayList<CallPlugins>();
            for (int i = 0; i < HELD_CALLS; i++) {
                var plugins = keep ? new CallPlugins() : CallPlugins.none();
                calls.add(plugins);
                for (int run = 0; run < RUNS_PER_CALL; run++) {
                    for (var tool : tools) {
                        if (tool.invoke(PLUGINS.get(tool.name()), context(plugins)) instanceof ToolOutcome.Failure failure) {
                            throw new IllegalStateException(failure.message());
                        }
                    }
                }
            }
            Thread.sleep(2_000); // the warm contexts are replaced, used ones closed
            long heap1 = liveHeap();
            long rss1 = rss();
            calls.forEach(CallPlugins::close);
            Thread.sleep(2_000); // closed in the background
            long heap2 = liveHeap();
            int kept = keep ? HELD_CALLS * tools.size() : 0;
            System.out.printf(Locale.ROOT, "%s%d phone calls, %d runs of each plugin, %d contexts kept: live heap %+.1f MB%s, RSS %+.1f MB; "
                            + "after the calls end: live heap %+.1f MB against before%n", keep ? "" : "\n", HELD_CALLS, RUNS_PER_CALL, kept,
                    (heap1 - heap0) / 1e6, keep ? String.format(Locale.ROOT, " (%.0f KB per context)", (heap1 - heap0) / 1e3 / kept) : "",
                    (rss1 - rss0) / 1e6, (heap2 - heap0) / 1e6);
        }
        tools.forEach(PluginTool::close);
    }

    /** Heap in use after a full collection (ZGC collects synchronously on an explicit request). */
    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * CPU used so far by the JIT compiler threads still alive ("C1/C2 CompilerThre..."), from
     * /proc/self/task (clock ticks of 10 ms; 0 where there is none).
     */
    private static long jitCpuMicros() {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (var task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    var stat = Files.readString(task.resolve("stat"));
                    var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * 10_000;
    }

    /** The process's resident set, from /proc (0 where there is none). */
    private static long rss() throws IOException {
        var status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0L);
    }

    private static ToolCallContext context(CallPlugins plugins) {
        var actions = new RecordedActions(); // the bench's plugins do not speak
        return new ToolCallContext("CA0bench", "+15551230000", "+15550001111", "bench", Optional.empty(), new CallState(), actions,
                plugins);
    }

    private static long pct(List<Long> values, int p) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
