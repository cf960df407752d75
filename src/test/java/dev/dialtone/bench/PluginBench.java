package dev.dialtone.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.sun.management.OperatingSystemMXBean;

import dev.dialtone.plugin.CallActions;
import dev.dialtone.plugin.CallState;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.plugin.PluginTool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;

/**
 * What one plugin tool call costs: the shipped
 * {@code menu_price} and {@code find_slots} plugins, called one at a time with a pause between
 * calls (tool calls in a conversation are seconds apart, so background work between them is
 * free of the caller's path). Prints, per plugin, the caller's latency (invoke to outcome)
 * p50/p90/p99 and the process CPU per call, which includes any context warmed in the background.
 * The second table calls a retired version, which starts a context on the caller's path every
 * time: the cost a call pays when no warm context is ready. Run it with
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java $(cat target/jvm.flags) -Xmx2g -Djava.util.logging.config.file=/dev/null \
 *      -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" dev.dialtone.bench.PluginBench [calls]
 * </pre>
 */
public final class PluginBench {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final long PAUSE_MS = 100;

    private record Figures(List<Long> micros, double cpuMicrosPerCall) {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length == 0 ? 300 : Integer.parseInt(args[0]);
        System.out.printf(Locale.ROOT, "Dialtone plugin benchmark: %d calls per plugin, %d ms apart, after %d warm-up calls; %d cores%n",
                calls, PAUSE_MS, calls / 2, Runtime.getRuntime().availableProcessors());
        try (var runtime = new PluginRuntime(PluginSettings.none())) {
            var plugins = Map.of("menu_price", "{\"item\":\"Large Pepperoni\"}", "find_slots", "{\"date\":\"2026-03-03\"}");
            for (var retired : List.of(false, true)) {
                System.out.println(retired ? "\nretired version (a context started on the caller's path for every call):"
                        : "\nloaded version (warm contexts):");
                System.out.println("| plugin | latency p50 / p90 / p99 us | CPU us per call |");
                System.out.println("|---|---|---:|");
                for (var name : List.of("menu_price", "find_slots")) {
                    var tool = runtime.load(Path.of("plugins", name + ".js"));
                    if (retired) {
                        tool.close();
                    }
                    measure(tool, plugins.get(name), calls / 2);
                    var f = measure(tool, plugins.get(name), calls);
                    System.out.printf(Locale.ROOT, "| %s | %d / %d / %d | %.0f |%n", name, pct(f.micros(), 50), pct(f.micros(), 90),
                            pct(f.micros(), 99), f.cpuMicrosPerCall());
                    tool.close();
                }
            }
        }
    }

    private static Figures measure(PluginTool tool, String argumentsJson, int calls) throws InterruptedException {
        var micros = new ArrayList<Long>(calls);
        long cpu0 = OS.getProcessCpuTime();
        for (int i = 0; i < calls; i++) {
            Thread.sleep(PAUSE_MS);
            long t0 = System.nanoTime();
            var outcome = tool.invoke(argumentsJson, context());
            micros.add((System.nanoTime() - t0) / 1_000);
            if (outcome instanceof ToolOutcome.Failure failure) {
                throw new IllegalStateException(failure.message());
            }
        }
        Thread.sleep(PAUSE_MS); // the last call's background work, if any, is counted too
        return new Figures(micros, (OS.getProcessCpuTime() - cpu0) / 1_000.0 / calls);
    }

    private static ToolCallContext context() {
        var actions = new CallActions() {
            @Override
            public void say(String text) {
            }

            @Override
            public void transfer(String number) {
            }

            @Override
            public void hangup() {
            }

            @Override
            public void goTo(String node) {
            }

            @Override
            public void collectDigits(String into, int minDigits, int maxDigits, String prompt) {
            }
        };
        return new ToolCallContext("CA0bench", "+15551230000", "+15550001111", "bench", Optional.empty(), new CallState(), actions);
    }

    private static long pct(List<Long> values, int p) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
