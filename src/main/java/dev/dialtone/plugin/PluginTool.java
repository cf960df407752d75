package dev.dialtone.plugin;

import dev.dialtone.net.Json;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * One loaded version of a JavaScript plugin, usable as a {@link Tool}. A phone call's first tool
 * call of the plugin runs in a context of its own; the call keeps that context ({@link CallPlugins})
 * for its later runs of the plugin, so module-level state lasts for the phone call, and closes it
 * when the call ends: nothing a run leaves behind (module-level variables, a poisoned built-in,
 * memory it holds) reaches another call. A kept context is discarded instead, and the next run gets
 * a new one, when a run in it fails or is stopped, or once its start and runs together have allocated
 * {@link PluginLimits#keptAllocationBytes}; at most {@link PluginLimits#maxKeptContexts} are kept at
 * once, all calls together. So what a plugin can pin stays bounded (see {@link PluginLimits}). A tool
 * call without a phone call's {@link CallPlugins} runs in a fresh context every time. So that calls do
 * not wait for a context to start, up to {@link PluginLimits#warmContextsPerPlugin} contexts are
 * started ahead, in the background; a call starts one on its own path only when none is ready or
 * under way. {@link #close()} retires this version: warm contexts close now, and calls still pinned
 * to this version start their own (contexts calls keep stay theirs until they end).
 */
public final class PluginTool implements Tool, AutoCloseable {
    private static final Pattern STACK_LOCATION = Pattern.compile("([\\w.-]+\\.js):(\\d+)");

    private final PluginRuntime runtime;
    private final Path file;
    private final String name;
    private final String sourceHash;
    private final Source source;
    private final PluginRuntime.Meta meta;
    private final ArgumentCheck arguments;
    private final String configJson;
    private final WarmContexts warm;
    private final Semaphore slots; // bounds this version's concurrent runs

    PluginTool(PluginRuntime runtime, Path file, String name, String sourceHash, Source source,
               PluginRuntime.Meta meta, ArgumentCheck arguments, Guest first) {
        this.runtime = runtime;
        this.file = file;
        this.name = name;
        this.sourceHash = sourceHash;
        this.source = source;
        this.meta = meta;
        this.arguments = arguments;
        this.configJson = Json.writeValue(runtime.settings().configOf(name));
        this.slots = new Semaphore(runtime.settings().limits().maxContextsPerPlugin());
        this.warm = new WarmContexts(runtime, name, source, first);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return meta.description();
    }

    @Override
    public String parametersSchema() {
        return meta.parametersJson();
    }

    @Override
    public Optional<String> say() {
        return meta.say();
    }

    @Override
    public Duration timeout() {
        return meta.timeout();
    }

    /** The plugin file this version was loaded from. */
    public Path file() {
        return file;
    }

    /** The plugin's source text, as loaded. */
    public String sourceText() {
        return source.getCharacters().toString();
    }

    /** SHA-256 of the plugin source, hex. */
    public String sourceHash() {
        return sourceHash;
    }

    /** Number of warm contexts waiting for a phone call's first run of this plugin (for tests and the admin view). */
    public int warmContexts() {
        return warm.size();
    }

    @Override
    public ToolOutcome invoke(String argumentsJson, ToolCallContext call) {
        var problem = arguments.problem(argumentsJson);
        if (problem.isPresent()) {
            return fail("invalid arguments: " + problem.get());
        }
        long deadline = System.nanoTime() + meta.timeout().toNanos();
        try {
            if (!slots.tryAcquire(meta.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                return fail("is busy with other calls; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("was cancelled because the call ended");
        }
        try {
            var plugins = call.plugins();
            var kept = plugins.take(this);
            Guest guest;
            long allocated;
            if (kept.isPresent()) {
                runtime.releaseKept();
                runtime.metrics().reused(name);
                guest = kept.get().guest();
                allocated = kept.get().allocatedBytes();
            } else {
                try {
                    guest = warm.take(deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return fail("was cancelled because the call ended");
                } catch (RuntimeException e) {
                    return fail("could not start: " + e.getMessage());
                }
                allocated = guest.startBytes();
            }
            var left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.toMillis() < 1) {
                finish(guest, kept.isEmpty(), After.UNUSED, allocated, plugins);
                return fail("did not get a turn within " + meta.timeout().toMillis() + " ms; try again");
            }
            var args = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
            return run(guest, kept.isEmpty(), allocated, args, call, left);
        } finally {
            slots.release();
        }
    }

    /** What a run leaves its context fit for. */
    private enum After {
        /** No plugin code ran: it goes back where it came from. */
        UNUSED,
        /** The run succeeded: the call may keep it. */
        KEEPABLE,
        /** The run failed or was stopped (a stopped run's context is closed already). */
        SPENT
    }

    /**
     * Runs one tool call in {@code guest} ({@code fromPool}: a warm context, else the one this phone
     * call kept; {@code allocated}: what it has allocated before), then keeps it for the call's next
     * run of this plugin or closes it.
     */
    private ToolOutcome run(Guest guest, boolean fromPool, long allocated, String argumentsJson, ToolCallContext call,
                            Duration limit) {
        var after = After.SPENT;
        long total = allocated;
        try {
            var context = guest.context();
            context.resetLimits(); // the module's start-up statements and earlier runs do not count against this run
            var host = HostBridge.of(name, call, runtime.fetch(), System.nanoTime() + limit.toNanos());
            var info = new LinkedHashMap<String, Object>();
            info.put("sid", call.sid());
            info.put("from", call.from());
            info.put("to", call.to());
            info.put("flow", call.flow());
            info.put("node", call.node().orElse(null));
            info.put("config", call.fixtures().map(f -> configWith(f.config().getOrDefault(name, Map.of()))).orElse(configJson));
            var infoJson = Json.writeValue(info);
            var settled = new Settled();
            var limits = runtime.settings().limits();
            var run = runtime.runner().run(context, () -> {
                guest.invoke().execute(guest.exports(), argumentsJson, infoJson, host, settled);
                return Boolean.TRUE;
            }, limit, limits.allocationBudgetBytes());
            return switch (run) {
                case Runner.Run.Stopped<Boolean> stopped -> {
                    if (stopped.cause() == Runner.Cause.BUSY) {
                        after = After.UNUSED;
                    }
                    runtime.metrics().stopped(name, stopped.cause().metric());
                    yield fail("was stopped: it " + stopped.cause().describe(meta.timeout(), limits.allocationBudgetBytes()));
                }
                case Runner.Run.Failed<Boolean> failed -> failure(failed.error());
                case Runner.Run.Done<Boolean> done -> {
                    total += done.allocatedBytes();
                    var outcome = settled.outcome(limits.maxResultChars());
                    if (outcome instanceof ToolOutcome.Result) {
                        after = After.KEEPABLE;
                    }
                    yield outcome;
                }
            };
        } catch (RuntimeException e) {
            return fail("failed: " + e.getClass().getSimpleName());
        } finally {
            finish(guest, fromPool, after, total, call.plugins());
        }
    }

    /**
     * After a run: a warm context no code ran in goes back to the warm ones; otherwise the call keeps
     * the context if it may (see {@link #keep}), else it closes (a few hundred microseconds, which the
     * caller need not wait for). A warm context used up is replaced in the background.
     */
    private void finish(Guest guest, boolean fromPool, After after, long allocated, CallPlugins plugins) {
        if (after == After.UNUSED && fromPool) {
            warm.recycle(guest);
            return;
        }
        if (after == After.SPENT && plugins.keeps()) {
            runtime.metrics().discarded(name, PluginMetrics.Discard.FAILED);
        }
        if (after != After.SPENT && keep(guest, allocated, plugins)) {
            if (fromPool) {
                warm.refill();
            }
            return;
        }
        // whatever the runs kept, module state included, goes with the context
        Thread.ofVirtual().name("plugin-close-" + name).start(() -> {
            guest.close();
            warm.refill();
        });
    }

    /**
     * Keeps {@code guest} in {@code plugins} for the phone call's next run of this plugin: only while
     * the call goes on, within {@link PluginLimits#keptAllocationBytes} (its start and runs together)
     * and {@link PluginLimits#maxKeptContexts} (all calls together), and one per call and plugin.
     * False, counted when the call could have kept it, otherwise.
     */
    private boolean keep(Guest guest, long allocated, CallPlugins plugins) {
        if (!plugins.keeps()) {
            return false;
        }
        if (allocated > runtime.settings().limits().keptAllocationBytes()) {
            runtime.metrics().discarded(name, PluginMetrics.Discard.BUDGET);
            return false;
        }
        if (!runtime.reserveKept()) {
            runtime.metrics().discarded(name, PluginMetrics.Discard.FULL);
            return false;
        }
        if (!plugins.keep(this, new CallPlugins.Kept(guest, allocated))) {
            runtime.releaseKept();
            if (plugins.keeps()) {
                runtime.metrics().discarded(name, PluginMetrics.Discard.SPARE);
            }
            return false;
        }
        return true;
    }

    /** Closes a context a call kept, now that the call has ended (see {@link CallPlugins#close()}). */
    void release(CallPlugins.Kept kept) {
        runtime.releaseKept();
        Thread.ofVirtual().name("plugin-close-" + name).start(kept.guest()::close);
    }

    /** config.yaml's settings of this plugin with a test's laid over them. */
    private String configWith(Map<String, Object> overrides) {
        var config = new LinkedHashMap<>(runtime.settings().configOf(name));
        config.putAll(overrides);
        return Json.writeValue(config);
    }

    private ToolOutcome failure(Throwable error) {
        if (error instanceof PolyglotException pe) {
            if (pe.isResourceExhausted()) {
                boolean statements = String.valueOf(pe.getMessage()).contains("Statement count limit");
                runtime.metrics().stopped(name, statements ? PluginMetrics.Stop.STATEMENTS : PluginMetrics.Stop.MEMORY);
                return fail(statements
                        ? "was stopped: it ran more than " + runtime.settings().limits().statementLimit() + " statements"
                        : "was stopped: it ran out of memory");
            }
            return fail("failed: " + describe(pe.getMessage()));
        }
        return fail("failed: " + error.getClass().getSimpleName());
    }

    private ToolOutcome.Failure fail(String what) {
        return new ToolOutcome.Failure("tool " + name + " " + what);
    }

    /** First line of a guest error, plus where in the plugin it was thrown, cut to a sensible length. */
    private String describe(String errorText) {
        var text = errorText == null ? "unknown error" : errorText;
        var first = PluginRuntime.firstLine(text);
        var at = STACK_LOCATION.matcher(text);
        while (at.find()) {
            if (at.group(1).equals(file.getFileName().toString())) {
                first = first + " (" + at.group(1) + ":" + at.group(2) + ")";
                break;
            }
        }
        return first.length() > 400 ? first.substring(0, 400) + "..." : first;
    }

    /** Retires this version; see the class comment. Idempotent. */
    @Override
    public void close() {
        warm.close();
    }

    @Override
    public String toString() {
        return "PluginTool[" + name + " " + sourceHash.substring(0, 12) + "]";
    }

    /** Receives the glue's verdict; written on the runner thread, read after the run by the caller. */
    private final class Settled implements ProxyExecutable {
        private volatile Boolean ok;
        private volatile String text;

        @Override
        public Object execute(Value... args) {
            if (ok == null) {
                text = args[1].asString();
                ok = args[0].asBoolean();
            }
            return null;
        }

        ToolOutcome outcome(int maxResultChars) {
            if (ok == null) {
                return fail("failed: run returned a promise that never settled (only await call.http.fetch or other promises that finish)");
            }
            if (!ok) {
                return fail("failed: " + describe(text));
            }
            if (text.length() > maxResultChars) {
                return fail("failed: its result is longer than " + maxResultChars + " characters");
            }
            try {
                Json.read(text); // the glue's JSON.stringify belongs to the plugin's realm, which the plugin can replace
            } catch (JsonProcessingException e) {
                return fail("failed: run returned text that is not JSON");
            }
            return new ToolOutcome.Result(text);
        }
    }
}
