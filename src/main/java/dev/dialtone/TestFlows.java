package dev.dialtone;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.flow.FlowFileNames;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Problem;
import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.flowtest.FileResult;
import dev.dialtone.flowtest.FlowTests;
import dev.dialtone.flowtest.JUnitReport;
import dev.dialtone.flowtest.TestReport;
import dev.dialtone.plugin.PluginRuntime;

/**
 * {@code bin/dialtone test-flows [--record] [--junit FILE] [flow...]}: runs the test files beside
 * the flows (all of them, or those of the flows named) on the real conversation in text mode. The
 * LLM's answers come from each file's cassette, with no network and no keys; with
 * {@code --record} they come from the flow's LLM (its key must be set) and are recorded into it.
 * A draft named as {@code luigis.draft} runs its flow's tests on the draft (and {@code --record}
 * records them from it). Prints each failing case with its transcript; {@code --junit} also writes JUnit XML. Exit 0 when
 * every case passes, 1 otherwise, 2 for a usage mistake.
 */
final class TestFlows {
    private TestFlows() {
    }

    private record Options(boolean record, Optional<Path> junit, List<String> flows) {
    }

    static int run(Settings settings, String[] args, PrintStream out) {
        var options = options(args, out);
        if (options.isEmpty()) {
            return 2;
        }
        long started = System.nanoTime();
        try (var plugins = new PluginRuntime(Main.pluginSettings(settings.plugin()));
             var flows = new FlowRegistry(settings.flows(), settings.plugins(), plugins, Main.configuredProviders(settings),
                                          new SimpleMeterRegistry(), Clock.systemUTC())) {
            var outcome = flows.reload();
            if (!outcome.applied()) {
                outcome.errors().forEach(p -> out.println(p));
                out.println("test-flows: the flows do not load; fix them first (bin/dialtone validate)");
                return 1;
            }
            var files = new ArrayList<FileResult>();
            var problems = new ArrayList<String>();
            for (var target : testFiles(settings.flows(), flows, options.get().flows(), problems)) {
                files.add(runFile(settings, flows, target, options.get().record()));
            }
            problems.forEach(p -> out.println("! " + p));
            TestReport.print(files, Duration.ofNanos(System.nanoTime() - started), out);
            if (options.get().junit().isPresent()) {
                JUnitReport.write(files, options.get().junit().get());
            }
            return problems.isEmpty() && files.stream().allMatch(FileResult::passed) ? 0 : 1;
        } catch (IOException e) {
            out.println("test-flows: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** A test file to run, and the version to run it on when one was named (a draft, {@code luigis.draft}, runs its flow's tests). */
    private record Target(Path file, Optional<FlowVersion> version) {
    }

    /** The test files to run: those of the flows named, else every one in the folder. */
    private static List<Target> testFiles(Path flowsDir, FlowRegistry flows, List<String> names, List<String> problems)
            throws IOException {
        if (names.isEmpty()) {
            var all = FlowTests.files(flowsDir);
            if (all.isEmpty()) {
                problems.add("no flow test files in " + flowsDir + " (flows/<flow>.test.yaml; see flows/README.md)");
            }
            return all.stream().map(f -> new Target(f, Optional.<FlowVersion>empty())).toList();
        }
        var out = new LinkedHashSet<Target>();
        for (var name : names) {
            var flow = flows.byName(name);
            if (flow.isEmpty()) {
                problems.add("no flow named '" + name + "' (flows: " + String.join(", ", flows.versions().stream()
                        .map(FlowVersion::name).toList()) + ")");
                continue;
            }
            var file = FlowFileNames.testsOf(flow.get().flow().file());
            if (Files.isRegularFile(file)) {
                out.add(new Target(file, flow));
            } else {
                problems.add("flow " + name + " has no tests: write " + file + " (see flows/README.md)");
            }
        }
        return List.copyOf(out);
    }

    private static FileResult runFile(Settings settings, FlowRegistry flows, Target target, boolean record) throws InterruptedException {
        var file = target.file();
        var flow = target.version().or(() -> FlowTests.flowOf(file, flows.versions()));
        var stem = FlowFileNames.stem(file);
        if (flow.isEmpty()) {
            return new FileResult(file, stem, List.of(), List.of(file + ":1: no flow beside this test file (it tests "
                    + stem + ".yaml)"));
        }
        var problems = new ArrayList<Problem>();
        var tests = FlowTests.read(file, flow, problems);
        if (tests.isEmpty() || problems.stream().anyMatch(Problem::isError)) {
            return new FileResult(file, flow.get().name(), List.of(), problems.stream().map(Object::toString).toList());
        }
        if (!record) {
            return FlowTests.replay(flow.get(), tests.get(), FlowTests.PATIENCE);
        }
        var provider = flow.get().flow().llm().provider();
        var live = Main.providers(settings).llm().get(provider);
        if (live == null) {
            return new FileResult(file, flow.get().name(), List.of(), List.of("flow " + flow.get().name() + " uses " + provider
                    + ", whose API key (" + ProviderCatalog.keyVariable(provider) + ") is not set: --record needs it"));
        }
        return FlowTests.record(flow.get(), tests.get(), live, FlowTests.PATIENCE);
    }

    private static Optional<Options> options(String[] args, PrintStream out) {
        boolean record = false;
        Optional<Path> junit = Optional.empty();
        var flows = new ArrayList<String>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--record" -> record = true;
                case "--junit" -> {
                    if (i + 1 >= args.length) {
                        out.println("test-flows: --junit needs a file name");
                        return Optional.empty();
                    }
                    junit = Optional.of(Path.of(args[++i]));
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        out.println("usage: bin/dialtone test-flows [--record] [--junit FILE] [flow...]");
                        return Optional.empty();
                    }
                    flows.add(args[i]);
                }
            }
        }
        return Optional.of(new Options(record, junit, flows));
    }
}
