package dev.dialtone.flowtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.ReloadGate;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;

/**
 * What a reload gate adds to a reload, against the gated tests' own run time: the shipped flows,
 * plugins, tests and cassettes copied twice, luigis.yaml given {@code tests: gate} in both; each
 * round saves a new comment into luigis.yaml (a new version, the same requests to the LLM) in both
 * copies and times a reload without a gate, a reload with the gate, and the gate's cases run alone
 * on the new version (before the gated reload in even rounds, after it in odd ones). Rounds interleaved, the first five discarded; medians and ranges of the rest.
 * Run:
 * <pre>
 * mvn25 -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED -Dpolyglot.engine.WarnInterpreterOnly=false \
 *      -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dialtone.flowtest.GateBench [rounds]
 * </pre>
 */
public final class GateBench {
    private static final Set<String> KEYS = Set.of("openai", "anthropic", "deepgram", "elevenlabs");

    private GateBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        var plainDir = copy();
        var gatedDir = copy();
        var gate = new TestGate(provider -> Optional.empty(), FlowTests.PATIENCE);
        try (var runtime = new PluginRuntime(PluginSettings.none());
             var plain = registry(plainDir, runtime, ReloadGate.NONE);
             var gated = registry(gatedDir, runtime, gate)) {
            check(plain.reload().applied() && gated.reload().applied(), "the copies load");
            var p = new ArrayList<Double>();
            var g = new ArrayList<Double>();
            var t = new ArrayList<Double>();
            for (int i = 1; i <= rounds + 5; i++) {
                edit(plainDir, i);
                edit(gatedDir, i);
                long t0 = System.nanoTime();
                check(plain.reload().changed().equals(List.of("luigis")), "plain reload applies the edit");
                long plainNanos = System.nanoTime() - t0;
                // the cases alone run on the plain copy's new version (the same text), before or after the gated reload by turns
                long aloneNanos = i % 2 == 0 ? alone(gate, plain) : 0;
                long t1 = System.nanoTime();
                var outcome = gated.reload();
                long gatedNanos = System.nanoTime() - t1;
                check(outcome.changed().equals(List.of("luigis")), "gated reload applies the edit: " + outcome.problems());
                aloneNanos = i % 2 == 0 ? aloneNanos : alone(gate, plain);
                if (i > 5) {
                    p.add(plainNanos / 1e6);
                    g.add(gatedNanos / 1e6);
                    t.add(aloneNanos / 1e6);
                }
            }
            var added = new ArrayList<Double>();
            for (int i = 0; i < g.size(); i++) {
                added.add(g.get(i) - p.get(i));
            }
            System.out.println("gate: " + gate.check(plain.byName("luigis").orElseThrow()).summary());
            System.out.println("rounds " + rounds + " (load " + loadAverage() + ")");
            System.out.println("reload without gate  ms " + stats(p));
            System.out.println("reload with gate     ms " + stats(g));
            System.out.println("gate adds            ms " + stats(added));
            System.out.println("the cases alone      ms " + stats(t));
        }
    }

    /** The gate's check alone, on the plain copy's current version of luigis. */
    private static long alone(TestGate gate, FlowRegistry plain) {
        long t0 = System.nanoTime();
        var verdict = gate.check(plain.byName("luigis").orElseThrow());
        long took = System.nanoTime() - t0;
        check(verdict.passed(), "the cases pass alone: " + verdict.failures() + " (" + verdict.summary() + ")");
        return took;
    }

    private static FlowRegistry registry(Path dir, PluginRuntime runtime, ReloadGate gate) {
        return new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), runtime, KEYS, new SimpleMeterRegistry(),
                                Clock.systemUTC(), gate);
    }

    /** A new comment at the end of luigis.yaml: a new version whose requests to the LLM are the recorded ones. */
    private static void edit(Path dir, int round) throws IOException {
        var file = dir.resolve("flows/luigis.yaml");
        var text = Files.readString(file).replaceAll("(?m)^# edit \\d+\\n", "");
        Files.writeString(file, text + "# edit " + round + "\n");
    }

    private static Path copy() throws IOException {
        var root = Files.createTempDirectory("gate-bench");
        for (var folder : List.of("flows", "plugins")) {
            Files.createDirectories(root.resolve(folder));
            try (Stream<Path> files = Files.list(Path.of(folder))) {
                for (var f : files.toList()) {
                    Files.copy(f, root.resolve(folder).resolve(f.getFileName()));
                }
            }
        }
        var luigis = root.resolve("flows/luigis.yaml");
        Files.writeString(luigis, Files.readString(luigis).replaceFirst("(?m)^name: luigis$", "name: luigis\ntests: gate"));
        return root;
    }

    private static String stats(List<Double> values) {
        var sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format("median %.1f (min %.1f, max %.1f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    private static String loadAverage() {
        try {
            return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).split(" ")).limit(3).reduce((a, b) -> a + " " + b).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static void check(boolean holds, String what) {
        if (!holds) {
            throw new IllegalStateException("failed: " + what);
        }
    }
}
