package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A phone call keeps its plugin contexts between its tool calls ({@link CallPlugins}): module state
 * is shared by the runs of one call and never seen by another call's, it is gone when the call ends,
 * and a kept context is discarded once it has allocated its budget, after a failed or stopped run,
 * or when the runtime keeps its most; parallel runs of one call never share a context; all of it
 * counted in metrics.
 */
class CallPluginsTest {
    static final long MB = 1 << 20;
    static final String COUNTER = "let runs = 0;\n"
            + "export default { description: 'd', timeoutMs: 5000, run(args, call) {\n"
            + "  runs++;\n"
            + "  if (args.fail) throw new Error('asked to fail');\n"
            + "  if (args.spin) while (true) {}\n"
            + "  if (args.wait) call.say('waiting');\n"
            + "  return { runs, sid: call.sid }; } };";
    @TempDir
    Path dir;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    PluginRuntime runtime;
    final List<CallPlugins> calls = new ArrayList<>();

    @AfterEach
    void stop() {
        calls.forEach(CallPlugins::close);
        runtime.close();
    }

    PluginTool plugin(PluginLimits limits, String name, String body) throws Exception {
        if (runtime == null) {
            runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of(), limits), meters);
        }
        var file = dir.resolve(name + ".js");
        Files.writeString(file, body);
        return runtime.load(file);
    }

    PluginTool counter() throws Exception {
        return plugin(PluginLimits.defaults(), "counter", COUNTER);
    }

    CallPlugins phoneCall() {
        var plugins = new CallPlugins();
        calls.add(plugins);
        return plugins;
    }

    static ToolCallContext call(String sid, CallPlugins plugins, CallActions actions) {
        return new ToolCallContext(sid, "+15551230000", "+15550001111", "luigis", Optional.empty(), new CallState(), actions, plugins);
    }

    static String invoke(PluginTool tool, String sid, CallPlugins plugins, String args) {
        return tool.invoke(args, call(sid, plugins, new RecordedActions())).forModel();
    }

    double counted(String meter, String... tags) {
        var counter = meters.find(meter).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    double keptGauge() {
        return meters.get("dialtone.plugin.contexts.kept").gauge().value();
    }

    @Test
    void moduleStateIsSharedByTheRunsOfOneCallAndNotSeenByAnother() throws Exception {
        var tool = counter();
        var first = phoneCall();
        var second = phoneCall();
        assertThat(invoke(tool, "CA1", first, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA1", first, "{}")).isEqualTo("{\"runs\":2,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA2", second, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA2\"}");
        assertThat(invoke(tool, "CA1", first, "{}")).isEqualTo("{\"runs\":3,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA2", second, "{}")).isEqualTo("{\"runs\":2,\"sid\":\"CA2\"}");
        // a tool call outside a phone call keeps nothing
        assertThat(invoke(tool, "CA3", CallPlugins.none(), "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA3\"}");
        assertThat(invoke(tool, "CA3", CallPlugins.none(), "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA3\"}");
        assertThat(first.kept()).isEqualTo(1);
        assertThat(runtime.keptContexts()).isEqualTo(2);
        assertThat(keptGauge()).isEqualTo(2);
        assertThat(counted("dialtone.plugin.contexts.reused", "plugin", "counter")).isEqualTo(3);
    }

    @Test
    void nothingOutlivesItsCall() throws Exception {
        var tool = counter();
        var plugins = phoneCall();
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        var kept = plugins.take(tool).orElseThrow();
        assertThat(plugins.keep(tool, kept)).isTrue();
        plugins.close();
        assertThat(plugins.kept()).isZero();
        assertThat(runtime.keptContexts()).isZero();
        assertThat(keptGauge()).isZero();
        awaitClosed(kept.guest());
        // the same call sid in a new phone call (a new CallPlugins) starts afresh, and an ended call keeps nothing
        assertThat(invoke(tool, "CA1", phoneCall(), "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(plugins.kept()).isZero();
        assertThat(counted("dialtone.plugin.contexts.discarded", "plugin", "counter")).isZero();
    }

    @Test
    void aRunStillGoingWhenTheCallEndsClosesItsContextWhenItFinishes() throws Exception {
        var tool = counter();
        var plugins = phoneCall();
        var inRun = new CyclicBarrier(2);
        var actions = new RecordedActions(() -> {
            await(inRun); // the run has begun
            await(inRun); // the call has ended
        });
        var outcome = CompletableFuture.supplyAsync(() -> tool.invoke("{\"wait\":true}", call("CA1", plugins, actions)).forModel(),
                Executors.newVirtualThreadPerTaskExecutor());
        await(inRun);
        plugins.close();
        await(inRun);
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(plugins.kept()).isZero();
        assertThat(runtime.keptContexts()).isZero();
    }

    @Test
    void aContextWhoseRunsTogetherAllocateOverTheBudgetIsDiscarded() throws Exception {
        // each run keeps 3 MB at module level; a kept context may have allocated 8 MB in all, so it holds at most two
        var tool = plugin(PluginLimits.defaults().withKeptContexts(512, 8 * MB), "hoarder", "const kept = [];\n"
                + "export default { description: 'd', timeoutMs: 15000, run() {\n"
                + "  kept.push(new Float64Array(3 * 1024 * 1024 / 8));\n"
                + "  return kept.length; } };");
        var plugins = phoneCall();
        var held = new ArrayList<Integer>();
        for (int i = 0; i < 6; i++) {
            held.add(Integer.parseInt(invoke(tool, "CA1", plugins, "{}")));
            plugins.take(tool).ifPresent(kept -> {
                assertThat(kept.allocatedBytes()).isLessThanOrEqualTo(8 * MB);
                assertThat(plugins.keep(tool, kept)).isTrue();
            });
        }
        // a context holding three arrays has allocated more than 8 MB: that run's result comes back, its context does not
        assertThat(held).allMatch(n -> n <= 3).contains(1, 2);
        assertThat(held.stream().filter(n -> n == 1).count()).isGreaterThanOrEqualTo(2); // discarded, then a fresh one
        assertThat(counted("dialtone.plugin.contexts.discarded", "plugin", "hoarder", "reason", "budget")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aFailedOrStoppedRunDiscardsItsContext() throws Exception {
        var tool = plugin(PluginLimits.defaults(), "counter", COUNTER.replace("timeoutMs: 5000", "timeoutMs: 300"));
        var plugins = phoneCall();
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA1", plugins, "{\"fail\":true}")).contains("asked to fail");
        assertThat(plugins.kept()).isZero();
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA1", plugins, "{\"spin\":true}")).contains("was stopped: it"); // by time or statements
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":2,\"sid\":\"CA1\"}");
        assertThat(counted("dialtone.plugin.contexts.discarded", "plugin", "counter", "reason", "failed")).isEqualTo(2);
        assertThat(runtime.keptContexts()).isEqualTo(1);
    }

    @Test
    void twoRunsOfOneCallAtOnceUseTwoContexts() throws Exception {
        var tool = counter();
        var plugins = phoneCall();
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        var bothInside = new CyclicBarrier(2);
        var actions = new RecordedActions(() -> await(bothInside)); // each run waits inside plugin code until the other is there too
        var results = new ConcurrentLinkedQueue<String>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2; i++) {
                pool.submit(() -> results.add(tool.invoke("{\"wait\":true}", call("CA1", plugins, actions)).forModel()));
            }
        }
        // one ran in the context the call kept, the other in a fresh one; the call keeps one of them
        assertThat(results).containsExactlyInAnyOrder("{\"runs\":2,\"sid\":\"CA1\"}", "{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(plugins.kept()).isEqualTo(1);
        assertThat(runtime.keptContexts()).isEqualTo(1);
        assertThat(counted("dialtone.plugin.contexts.discarded", "plugin", "counter", "reason", "spare")).isEqualTo(1);
    }

    @Test
    void theRuntimeKeepsAtMostItsLimitOfContexts() throws Exception {
        var tool = plugin(PluginLimits.defaults().withKeptContexts(1, 32 * MB), "counter", COUNTER);
        var first = phoneCall();
        var second = phoneCall();
        assertThat(invoke(tool, "CA1", first, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        assertThat(invoke(tool, "CA2", second, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA2\"}");
        assertThat(invoke(tool, "CA2", second, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA2\"}");
        assertThat(invoke(tool, "CA1", first, "{}")).isEqualTo("{\"runs\":2,\"sid\":\"CA1\"}");
        assertThat(keptGauge()).isEqualTo(1);
        assertThat(counted("dialtone.plugin.contexts.discarded", "plugin", "counter", "reason", "full")).isEqualTo(2);
        first.close();
        assertThat(invoke(tool, "CA2", second, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA2\"}");
        assertThat(invoke(tool, "CA2", second, "{}")).isEqualTo("{\"runs\":2,\"sid\":\"CA2\"}");
    }

    @Test
    void aCallEndingAfterTheRuntimeClosedIsQuiet() throws Exception {
        var tool = counter();
        var plugins = phoneCall();
        assertThat(invoke(tool, "CA1", plugins, "{}")).isEqualTo("{\"runs\":1,\"sid\":\"CA1\"}");
        runtime.close();
        plugins.close();
        assertThat(plugins.kept()).isZero();
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code guest}'s context refuses to run code; contexts close on a background thread (generous, for a busy machine). */
    static void awaitClosed(Guest guest) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                guest.context().eval("js", "1");
            } catch (IllegalStateException closed) {
                return;
            } catch (PolyglotException e) {
                if (e.isCancelled()) {
                    return; // closed with cancellation, as Guest.close does
                }
                throw e;
            }
            assertThat(System.nanoTime()).as("context closed in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
