package dev.dialtone.flow;

import dev.dialtone.plugin.CallState;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.plugin.PluginTool;
import dev.dialtone.plugin.RecordedActions;
import dev.dialtone.plugin.ToolCallContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures, on this machine: reload latency (a flow file saved by temp file + rename -> the new
 * version answers lookups; median of 20, through the real folder watch), and the cost of one
 * plugin call warm, first after a reload, and fully cold (new context, module evaluation, run).
 * Run:
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED -Dpolyglot.engine.WarnInterpreterOnly=false \
 *      -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dialtone.flow.ReloadBench
 * </pre>
 */
public final class ReloadBench {
    private ReloadBench() {
    }

    public static void main(String[] args) throws Exception {
        var root = Files.createTempDirectory("reload-bench");
        var files = new FlowFiles(root);
        var plugin = """
                const MENU = { margherita: { small: 11, large: 15.5 }, pepperoni: { small: 12.5, large: 17 } };
                export default {
                  description: "Price of a menu item",
                  parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
                  run(args, call) { call.state.last = args.item; return { item: args.item, prices: MENU[args.item] || null, v: %d }; }
                };
                """;
        files.plugin("menu_price", plugin.formatted(0));
        files.flow("a.yaml", flow(0));
        try (var runtime = new PluginRuntime(PluginSettings.none());
             var registry = new FlowRegistry(files.flows, files.plugins, runtime, FlowSetTestBase.ALL_KEYS,
                     new SimpleMeterRegistry(), Clock.systemUTC())) {
            registry.start();
            var latencies = new ArrayList<Double>();
            for (int i = 1; i <= 20; i++) {
                var expected = "generation " + i;
                long t0 = System.nanoTime();
                files.flowByRename("a.yaml", flow(i));
                while (!registry.forNumber("+15550001111").map(v -> v.flow().prompt().text().equals(expected)).orElse(false)) {
                    LockSupport.parkNanos(100_000);
                }
                latencies.add((System.nanoTime() - t0) / 1e6);
            }
            System.out.printf("reload latency, file saved -> new version live (20 saves): median %.1f ms, min %.1f, max %.1f"
                            + " (includes the %d ms quiet period)%n", median(latencies), min(latencies), max(latencies),
                    FlowRegistry.QUIET.toMillis());

            var sync = new ArrayList<Double>();
            for (int i = 0; i < 20; i++) {
                files.flow("a.yaml", flow(100 + i));
                long t0 = System.nanoTime();
                registry.reload();
                sync.add((System.nanoTime() - t0) / 1e6);
            }
            System.out.printf("reload() of an edited flow (load + validate + swap, plugins unchanged): median %.2f ms%n", median(sync));

            var call = new ToolCallContext("CA1", "+15551230000", "+15550001111", "a", Optional.empty(), new CallState(), new RecordedActions());
            var firstAfterReload = new ArrayList<Double>();
            var loadTimes = new ArrayList<Double>();
            var cold = new ArrayList<Double>();
            for (int i = 1; i <= 10; i++) {
                files.plugin("menu_price", plugin.formatted(i));
                long l0 = System.nanoTime();
                registry.reload();
                loadTimes.add((System.nanoTime() - l0) / 1e6);
                var tool = (PluginTool) registry.forNumber("+15550001111").orElseThrow().tool("menu_price", Optional.empty()).orElseThrow();
                firstAfterReload.add(time(() -> tool.invoke("{\"item\":\"margherita\"}", call)));
            }
            var tool = (PluginTool) registry.forNumber("+15550001111").orElseThrow().tool("menu_price", Optional.empty()).orElseThrow();
            for (int i = 0; i < 200; i++) {
                tool.invoke("{\"item\":\"margherita\"}", call);
            }
            var warm = new ArrayList<Double>();
            for (int i = 0; i < 1000; i++) {
                warm.add(time(() -> tool.invoke("{\"item\":\"pepperoni\"}", call)));
            }
            var retired = (PluginTool) registry.forNumber("+15550001111").orElseThrow().tool("menu_price", Optional.empty()).orElseThrow();
            retired.close(); // no warm context left: every call builds a context, evaluates the module, runs
            for (int i = 0; i < 10; i++) {
                cold.add(time(() -> retired.invoke("{\"item\":\"margherita\"}", call)));
            }
            System.out.printf("plugin reload (load + check + warm one context, in reload()): median %.1f ms%n", median(loadTimes));
            System.out.printf("plugin call, first after reload (context pre-warmed at reload): median %.2f ms%n", median(firstAfterReload));
            System.out.printf("plugin call, warm (1000 calls after 200 warm-up): median %.3f ms, p99 %.3f ms%n", median(warm), pct(warm, 0.99));
            System.out.printf("plugin call, fully cold (new context + module + run): median %.2f ms%n", median(cold));
        }
    }

    private static String flow(int generation) {
        return "name: a\nnumbers: [\"+15550001111\"]\nprompt: generation " + generation + "\ntools: [menu_price, end_call]\n";
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> xs) {
        return pct(xs, 0.5);
    }

    private static double pct(List<Double> xs, double p) {
        var a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[(int) Math.min(a.length - 1, Math.floor(p * a.length))];
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
