package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Untrusted plugin code is contained: each escape or abuse becomes a clear failure result, and the tool keeps working. */
class SandboxTest {
    static PluginRuntime runtime;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        var limits = PluginLimits.defaults().withAllocationBudget(128L << 20);
        runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of("secretive", Map.of("api_key", "sk-123")), limits));
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

    static PluginTool simple(SandboxTest t, String name, String runBody) throws Exception {
        return t.plugin(name, """
                export default {
                  description: "test tool",
                  parameters: { type: "object", properties: {} },
                  timeoutMs: 1000,
                  async run(args, call) {
                    %s
                  }
                };
                """.formatted(runBody));
    }

    static ToolCallContext call(CallActions actions, CallState state) {
        return new ToolCallContext("CA1", "+15551230000", "+15550001111", "luigis", Optional.of("take_order"), state, actions);
    }

    static ToolOutcome invoke(PluginTool tool, String args) {
        return tool.invoke(args, call(new RecordedActions(), new CallState()));
    }

    static String failure(ToolOutcome outcome) {
        assertThat(outcome).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) outcome).message();
    }

    @Test
    void javaHostClassesAreNotReachable() throws Exception {
        var tool = simple(this, "host_access", "return Java.type('java.lang.System').getenv();");
        assertThat(failure(invoke(tool, "{}"))).startsWith("tool host_access failed:").contains("Java is not defined");
        var poly = simple(this, "polyglot_access", "return Polyglot.import('x');");
        assertThat(failure(invoke(poly, "{}"))).contains("Polyglot is not defined");
    }

    @Test
    void filesAreNotReachable() throws Exception {
        var tool = simple(this, "file_access", "return load('/etc/passwd');");
        assertThat(failure(invoke(tool, "{}"))).contains("load is not defined");
        var req = simple(this, "require_access", "return require('fs').readFileSync('/etc/passwd');");
        assertThat(failure(invoke(req, "{}"))).contains("require is not defined");
    }

    @Test
    void importingModulesIsRefusedAtLoad() throws IOException {
        var file = dir.resolve("imports_fs.js");
        Files.writeString(file, "import fs from 'fs';\nexport default { description: 'x', run() { return 1; } };\n");
        assertThatThrownBy(() -> runtime.load(file)).isInstanceOf(PluginException.class)
                .hasMessageStartingWith(file + ":");
    }

    @Test
    void endlessLoopIsStoppedAndTheToolStillWorks() throws Exception {
        var tool = simple(this, "spin", "if (args.spin) { while (true) {} } return { ok: true };");
        long t0 = System.nanoTime();
        var message = failure(tool.invoke("{\"spin\":true}", call(new RecordedActions(), new CallState())));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(message).startsWith("tool spin was stopped: it ");
        assertThat(ms).isLessThan(3_000);
        assertThat(invoke(tool, "{}").forModel()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void statementLimitStopsLongLoopsBeforeTheTimeLimit() throws Exception {
        try (var small = new PluginRuntime(new PluginSettings(List.of(), Map.of(), PluginLimits.defaults().withStatementLimit(100_000)))) {
            var file = dir.resolve("counter.js");
            Files.writeString(file, "export default { description: 'd', timeoutMs: 10000, run() { let i = 0; for (;;) { i++; } } };");
            var tool = small.load(file);
            assertThat(failure(invoke(tool, "{}"))).isEqualTo("tool counter was stopped: it ran more than 100000 statements");
        }
    }

    @Test
    void hugeAllocationIsStopped() throws Exception {
        // A long time limit, so that memory (not time) is what stops them even on a busy machine.
        var tool = plugin("hog", "export default { description: 'd', timeoutMs: 15000, run() { return new Array(3e8).fill(1.5).length; } };");
        assertThat(failure(invoke(tool, "{}"))).isEqualTo("tool hog was stopped: it used more than 128 MB of memory");
        var strings = plugin("hog_strings", "export default { description: 'd', timeoutMs: 15000, "
                + "run() { const a = []; for (let i = 0; ; i++) a.push('item ' + i); } };");
        assertThat(failure(invoke(strings, "{}"))).isIn("tool hog_strings was stopped: it used more than 128 MB of memory",
                "tool hog_strings was stopped: it ran more than 10000000 statements");
        assertThat(invoke(tool, "{}")).isInstanceOf(ToolOutcome.Failure.class);
    }

    @Test
    void thrownErrorNamesThePluginAndLine() throws Exception {
        var tool = plugin("kitchen", """
                export default {
                  description: "d",
                  run(args) {
                    throw new Error("kitchen is closed");
                  }
                };
                """);
        assertThat(failure(invoke(tool, "{}"))).isEqualTo("tool kitchen failed: Error: kitchen is closed (kitchen.js:4)");
        var rejects = simple(this, "rejects", "await null; throw 'plain string';");
        assertThat(failure(invoke(rejects, "{}"))).isEqualTo("tool rejects failed: threw \"plain string\"");
    }

    @Test
    void aFailedRunLeavesNothingBehindForTheNextCall() throws Exception {
        var tool = plugin("poison", """
                export default {
                  description: "d",
                  parameters: { type: "object", properties: { poison: { type: "boolean" } } },
                  run(args) {
                    if (args.poison) { globalThis.poisoned = true; Array.prototype.map = null; throw new Error("poisoned"); }
                    return { poisoned: globalThis.poisoned === true, map: typeof [].map };
                  }
                };
                """);
        assertThat(failure(invoke(tool, "{\"poison\":true}"))).startsWith("tool poison failed: Error: poisoned");
        assertThat(invoke(tool, "{}").forModel()).isEqualTo("{\"poisoned\":false,\"map\":\"function\"}");
    }

    @Test
    void nonJsonResultsAreErrors() throws Exception {
        assertThat(failure(invoke(simple(this, "returns_fn", "return () => 1;"), "{}")))
                .isEqualTo("tool returns_fn failed: run returned a function, which is not a JSON value");
        assertThat(failure(invoke(simple(this, "returns_bigint", "return { n: 10n };"), "{}")))
                .startsWith("tool returns_bigint failed: run returned a value that is not JSON");
        assertThat(failure(invoke(simple(this, "returns_nothing", "call.log('done');"), "{}")))
                .isEqualTo("tool returns_nothing failed: run returned nothing; return a JSON value such as { ok: true }");
        assertThat(failure(invoke(simple(this, "returns_cycle", "const a = {}; a.a = a; return a;"), "{}")))
                .startsWith("tool returns_cycle failed: run returned a value that is not JSON");
        assertThat(invoke(simple(this, "returns_text", "return 'plain';"), "{}").forModel()).isEqualTo("\"plain\"");
        var tampered = plugin("tampers", "export default { description: 'd', "
                + "run() { JSON.stringify = () => 'not json {'; return { ok: true }; } };");
        assertThat(failure(invoke(tampered, "{}"))).isEqualTo("tool tampers failed: run returned text that is not JSON");
        var tamperedThen = plugin("tampers_then", "Promise.prototype.then = function () { return this; };\n"
                + "export default { description: 'd', run() { return { ok: true }; } };");
        assertThat(failure(invoke(tamperedThen, "{}"))).startsWith("tool tampers_then failed: run returned a promise that never settled");
    }

    @Test
    void oversizedResultIsAnError() throws Exception {
        var tool = simple(this, "too_long", "return 'x'.repeat(40000);");
        assertThat(failure(invoke(tool, "{}"))).isEqualTo("tool too_long failed: its result is longer than 32000 characters");
    }

    @Test
    void slowAsyncWorkIsStoppedAtTheTimeLimit() throws Exception {
        var tool = plugin("slow_async", """
                export default {
                  description: "d",
                  timeoutMs: 300,
                  async run(args) {
                    await null;
                    const until = Date.now() + 60000;
                    while (Date.now() < until) { await Promise.resolve(); }
                    return { late: true };
                  }
                };
                """);
        long t0 = System.nanoTime();
        // Whichever bound comes first on this machine (time, statements or the memory the promise
        // chain allocates) stops the run with a clear message, long before the loop's own 60 s.
        assertThat(failure(invoke(tool, "{}"))).isIn("tool slow_async was stopped: it did not finish within 300 ms",
                "tool slow_async was stopped: it ran more than 10000000 statements",
                "tool slow_async was stopped: it used more than 128 MB of memory");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(30_000);
        var never = simple(this, "never_settles", "await new Promise(() => {}); return 1;");
        assertThat(failure(invoke(never, "{}"))).startsWith("tool never_settles failed: run returned a promise that never settled");
    }

    @Test
    void argumentsAreCheckedAgainstTheSchemaBeforeRun() throws Exception {
        var tool = plugin("menu_price", """
                export default {
                  description: "Price of a menu item",
                  parameters: { type: "object", properties: { item: { type: "string" }, size: { enum: ["small", "large"] } },
                                required: ["item"] },
                  run(args, call) { call.state.ran = "yes"; return { item: args.item, price: 12.5 }; }
                };
                """);
        var state = new CallState();
        var missing = tool.invoke("{\"size\":\"large\"}", call(new RecordedActions(), state));
        assertThat(failure(missing)).startsWith("tool menu_price invalid arguments:").contains("item");
        assertThat(failure(tool.invoke("{\"item\":3}", call(new RecordedActions(), state)))).contains("string");
        assertThat(failure(tool.invoke("not json", call(new RecordedActions(), state)))).contains("not valid JSON");
        assertThat(state.get("ran")).isEmpty();
        assertThat(tool.invoke("{\"item\":\"margherita\"}", call(new RecordedActions(), state)).forModel())
                .isEqualTo("{\"item\":\"margherita\",\"price\":12.5}");
        assertThat(state.get("ran")).contains("yes");
    }

    @Test
    void callObjectGivesIdentityStateConfigAndActions() throws Exception {
        var tool = plugin("secretive", """
                export default {
                  description: "d",
                  run(args, call) {
                    call.state.count = 3;
                    call.state.order = { pizza: "margherita" };
                    const seen = call.state.previous;
                    delete call.state.previous;
                    call.say("One moment");
                    call.goto("goodbye");
                    call.transfer("+15550009999");
                    call.hangup();
                    return { sid: call.sid, from: call.from, to: call.to, flow: call.flow, node: call.node,
                             key: call.config.api_key, seen, keys: Object.keys(call.state).sort() };
                  }
                };
                """);
        var state = new CallState();
        state.put("previous", "earlier");
        var actions = new RecordedActions();
        var result = tool.invoke("{}", call(actions, state)).forModel();
        assertThat(result).isEqualTo("{\"sid\":\"CA1\",\"from\":\"+15551230000\",\"to\":\"+15550001111\",\"flow\":\"luigis\","
                + "\"node\":\"take_order\",\"key\":\"sk-123\",\"seen\":\"earlier\",\"keys\":[\"count\",\"order\"]}");
        assertThat(state.snapshot()).isEqualTo(Map.of("count", "3", "order", "{\"pizza\":\"margherita\"}"));
        assertThat(actions.all()).containsExactly("say:One moment", "goto:goodbye", "transfer:+15550009999", "hangup");
    }

    @Test
    void badActionArgumentsBecomeErrors() throws Exception {
        var tool = simple(this, "bad_transfer", "call.transfer('5550009999'); return 1;");
        var actions = new RecordedActions();
        assertThat(failure(tool.invoke("{}", call(actions, new CallState()))))
                .contains("transfer: '5550009999' is not an E.164 number");
        assertThat(actions.all()).isEmpty();
    }

    @Test
    void loadErrorsNameFileAndLine() throws IOException {
        var syntax = dir.resolve("broken.js");
        Files.writeString(syntax, "export default {\n  description: 'x',\n  run(args { return 1; }\n};\n");
        assertThatThrownBy(() -> runtime.load(syntax)).isInstanceOf(PluginException.class)
                .hasMessageStartingWith(syntax + ":3: plugin broken syntax error:");
        var noRun = dir.resolve("no_run.js");
        Files.writeString(noRun, "// a tool\nexport default { description: 'x' };\n");
        assertThatThrownBy(() -> runtime.load(noRun)).hasMessage(noRun + ":2: plugin no_run: run must be a function: run(args, call) { ... }");
        var badSchema = dir.resolve("bad_schema.js");
        Files.writeString(badSchema, "export default {\n  description: 'x',\n  parameters: { type: 'array' },\n  run() { return 1; } };\n");
        assertThatThrownBy(() -> runtime.load(badSchema)).hasMessage(badSchema
                + ":3: plugin bad_schema: parameters must be a JSON Schema with type: \"object\"");
        var badName = dir.resolve("Menu-Price.js");
        Files.writeString(badName, "export default { description: 'x', run() { return 1; } };");
        assertThatThrownBy(() -> runtime.load(badName)).hasMessageContaining("lower_snake_case");
        var spinsAtLoad = dir.resolve("spins_at_load.js");
        Files.writeString(spinsAtLoad, "while (true) {}\nexport default { description: 'x', run() { return 1; } };");
        assertThatThrownBy(() -> runtime.load(spinsAtLoad)).hasMessageContaining("plugin spins_at_load");
    }

    @Test
    void metadataIsRead() throws Exception {
        var tool = plugin("with_meta", """
                export default {
                  description: "Checks the menu",
                  parameters: { type: "object", properties: { item: { type: "string" } } },
                  say: "Let me check.",
                  timeoutMs: 1500,
                  run() { return 1; }
                };
                """);
        assertThat(tool.name()).isEqualTo("with_meta");
        assertThat(tool.description()).isEqualTo("Checks the menu");
        assertThat(tool.say()).contains("Let me check.");
        assertThat(tool.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(tool.parametersSchema()).isEqualTo("{\"type\":\"object\",\"properties\":{\"item\":{\"type\":\"string\"}}}");
        assertThat(tool.sourceHash()).hasSize(64);
        assertThat(tool.warmContexts()).isEqualTo(1);
    }

    @Test
    void concurrentCallsEachGetTheirOwnContext() throws Exception {
        var tool = plugin("parallel", "export default { description: 'd', timeoutMs: 15000, "
                + "run(args, call) { let s = 0; for (let i = 0; i < 2000; i++) s += i; return { s, sid: call.sid }; } };");
        var results = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                pool.submit(() -> results.add(invoke(tool, "{}").forModel()));
            }
        }
        assertThat(results).hasSize(6).allMatch(r -> r.equals("{\"s\":1999000,\"sid\":\"CA1\"}"));
    }

    @Test
    void pluginRunsBeyondTheGlobalCapWaitThenFailClearly() throws Exception {
        var oneAtATime = PluginLimits.defaults().withStatementLimit(10_000_000_000L).withMaxConcurrentRuns(1);
        try (var capped = new PluginRuntime(new PluginSettings(List.of(), Map.of(), oneAtATime))) {
            var spinner = dir.resolve("spinner.js");
            Files.writeString(spinner, "export default { description: 'd', timeoutMs: 1500, run(a, call) { call.say('started'); "
                    + "while (true) {} } };");
            var quick = dir.resolve("quick.js");
            Files.writeString(quick, "export default { description: 'd', timeoutMs: 200, run() { return 1; } };");
            var spin = capped.load(spinner);
            var fast = capped.load(quick);
            var started = new java.util.concurrent.CountDownLatch(1);
            var actions = new RecordedActions(started::countDown);
            var first = new java.util.concurrent.CompletableFuture<ToolOutcome>();
            Thread.ofVirtual().start(() -> first.complete(spin.invoke("{}", call(actions, new CallState()))));
            assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(failure(invoke(fast, "{}"))).isEqualTo("tool quick was stopped: it did not get a turn within 200 ms (too many plugins running)");
            assertThat(failure(first.get(5, java.util.concurrent.TimeUnit.SECONDS))).isEqualTo("tool spinner was stopped: it did not finish within 1500 ms");
            assertThat(invoke(fast, "{}").forModel()).isEqualTo("1");
        }
    }

    @Test
    void aRetiredVersionStillServesCallsPinnedToIt() throws Exception {
        var tool = simple(this, "retired", "return { v: 1 };");
        tool.close();
        assertThat(tool.warmContexts()).isZero();
        assertThat(invoke(tool, "{}").forModel()).isEqualTo("{\"v\":1}");
        assertThat(tool.warmContexts()).isZero();
    }
}
