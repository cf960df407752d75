package dev.dialtone.plugin;

import dev.dialtone.net.Json;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * One loaded version of a JavaScript plugin, usable as a {@link Tool}. It keeps a small pool of warm
 * contexts (each used by one call at a time); a context whose run failed or was stopped is thrown
 * away and a fresh one is warmed in the background, never on the caller's path unless every context
 * is busy. Module-level variables therefore live per warm context: per-call data belongs in
 * {@code call.state}.
 * {@link #close()} retires this version: idle contexts close now, busy ones when their run ends,
 * and calls still pinned to this version get a fresh context.
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
    private final BlockingQueue<Guest> idle; // any thread
    private final Semaphore slots; // bounds concurrent runs to the pool size
    private volatile boolean retired; // set once by close()

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
        int size = runtime.settings().limits().maxContextsPerPlugin();
        this.idle = new ArrayBlockingQueue<>(size);
        this.slots = new Semaphore(size);
        idle.add(first);
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

    /** SHA-256 of the plugin source, hex. */
    public String sourceHash() {
        return sourceHash;
    }

    /** Number of warm contexts waiting for a call (for tests and the admin view). */
    public int warmContexts() {
        return idle.size();
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
            var guest = idle.poll();
            if (guest == null) {
                try {
                    guest = runtime.startGuest(name, source);
                } catch (RuntimeException e) {
                    return fail("could not start: " + e.getMessage());
                }
            }
            var left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.toMillis() < 1) {
                idle.offer(guest);
                return fail("did not get a turn within " + meta.timeout().toMillis() + " ms; try again");
            }
            return run(guest, argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson, call, left);
        } finally {
            slots.release();
        }
    }

    private ToolOutcome run(Guest guest, String argumentsJson, ToolCallContext call, Duration limit) {
        boolean reusable = false;
        try {
            var context = guest.context();
            context.resetLimits();
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
                case Runner.Run.Stopped<Boolean> stopped ->
                        fail("was stopped: it " + stopped.cause().describe(meta.timeout(), limits.allocationBudgetBytes()));
                case Runner.Run.Failed<Boolean> failed -> failure(failed.error());
                case Runner.Run.Done<Boolean> done -> {
                    var outcome = settled.outcome(limits.maxResultChars());
                    // Only a clean run leaves the context for the next call: a failed one may have left its realm half-changed.
                    reusable = outcome instanceof ToolOutcome.Result;
                    yield outcome;
                }
            };
        } catch (RuntimeException e) {
            return fail("failed: " + e.getClass().getSimpleName());
        } finally {
            release(guest, reusable);
        }
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
                var msg = String.valueOf(pe.getMessage());
                return fail(msg.contains("Statement count limit")
                        ? "was stopped: it ran more than " + runtime.settings().limits().statementLimit() + " statements"
                        : "was stopped: it ran out of memory");
            }
            return fail("failed: " + describe(pe.getMessage()));
        }
        return fail("failed: " + error.getClass().getSimpleName());
    }

    private void release(Guest guest, boolean reusable) {
        if (reusable && !retired && idle.offer(guest)) {
            if (retired && idle.remove(guest)) {
                guest.close();
            }
            return;
        }
        guest.close();
        if (!reusable && !retired && idle.isEmpty()) {
            Thread.ofVirtual().name("plugin-warm-" + name).start(this::warmOne);
        }
    }

    private void warmOne() {
        try {
            var guest = runtime.startGuest(name, source);
            if (retired || !idle.offer(guest)) {
                guest.close();
            }
        } catch (RuntimeException e) {
            LogSink.log(name, "could not warm a replacement context: " + e.getMessage());
        }
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
        retired = true;
        Guest guest;
        while ((guest = idle.poll()) != null) {
            guest.close();
        }
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
