package dev.dialtone.plugin;

import dev.dialtone.net.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Loads JavaScript tool plugins ({@code plugins/NAME.js}, an ES module whose default export has
 * description, parameters, optional say and timeoutMs, and run) into sandboxed GraalJS contexts.
 * One runtime per server: it owns the single shared {@link Engine} (so sources are parsed once),
 * the platform threads that run guest code under limits, the allow-listed HTTP client and the
 * plugin metrics ({@link PluginMetrics}), and counts the contexts phone calls keep between their tool
 * calls, all plugins together ({@link CallPlugins}, at most {@link PluginLimits#maxKeptContexts}).
 */
public final class PluginRuntime implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    /** Contexts started ahead of calls at once: one per core of a small machine is enough to keep up. */
    private static final int BACKGROUND_STARTS = 2;

    private final PluginSettings settings;
    private Engine engine; // made at the first plugin load (a third of a second), not on the server's start path
    private final Runner runner; // tool calls, loads, and contexts a call is waiting for
    private final Runner warmer; // contexts started ahead of calls, so that they never hold a call's turn
    private final HostFetch fetch;
    private final PluginMetrics metrics;
    private final AtomicInteger kept = new AtomicInteger(); // contexts kept by phone calls, all plugins
    /**
     * Held shared while a context is created and its module evaluated, exclusively by {@link #close()}:
     * GraalJS deadlocks when the engine closes while another thread initialises one of its contexts
     * (the close holds the engine's lock and waits for that thread, which needs the lock).
     */
    private final ReentrantReadWriteLock starting = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** A runtime whose metrics go nowhere (offline validation, tests). */
    public PluginRuntime(PluginSettings settings) {
        this(settings, new SimpleMeterRegistry());
    }

    public PluginRuntime(PluginSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.metrics = new PluginMetrics(meters, kept);
        this.runner = new Runner(settings.limits().maxConcurrentRuns());
        this.warmer = new Runner(BACKGROUND_STARTS);
        this.fetch = new HostFetch(settings.allowedHosts(), settings.limits().maxFetchBytes());
    }

    /** The shared engine, made on first use: the server starts listening without waiting for GraalJS. */
    private synchronized Engine engine() {
        if (engine == null) {
            var sink = new LogSink("engine");
            engine = Engine.newBuilder("js")
                    .sandbox(SandboxPolicy.CONSTRAINED)
                    .out(sink)
                    .err(sink)
                    .option("engine.WarnInterpreterOnly", "false")
                    .build();
        }
        return engine;
    }

    public PluginSettings settings() {
        return settings;
    }

    /**
     * Loads and checks one plugin file and warms one context for it, so that its first call is not a
     * cold one. The module's own top-level code runs under the same time and memory limits as a call.
     *
     * @throws PluginException naming the file, line and reason when the plugin cannot be used
     */
    public PluginTool load(Path file) throws PluginException {
        var fileName = file.getFileName().toString();
        var name = fileName.endsWith(".js") ? fileName.substring(0, fileName.length() - 3) : fileName;
        if (!NAME.matcher(name).matches()) {
            throw new PluginException(file, 1, "plugin file names must be lower_snake_case.js (the name is the tool name)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PluginException(file, 1, "cannot read the plugin file (" + e.getClass().getSimpleName() + ")");
        }
        if (bytes.length > settings.limits().maxSourceBytes()) {
            throw new PluginException(file, 1, "plugin " + name + " is larger than " + settings.limits().maxSourceBytes() + " bytes");
        }
        var text = new String(bytes, StandardCharsets.UTF_8);
        var source = Source.newBuilder("js", text, fileName).mimeType("application/javascript+module").buildLiteral();
        var started = start(file, name, source);
        var meta = Meta.read(file, name, text, started.describeJson(), settings.limits());
        try {
            var check = ArgumentCheck.of(meta.parametersJson());
            return new PluginTool(this, file, name, sha256(bytes), source, meta, check, started.guest());
        } catch (IllegalArgumentException e) {
            started.guest().close();
            throw new PluginException(file, Meta.lineOf(text, "parameters"), "plugin " + name + ": " + e.getMessage());
        }
    }

    private record Started(Guest guest, String describeJson) {
    }

    private Started start(Path file, String name, Source source) throws PluginException {
        if (!enterStart()) {
            throw new PluginException(file, 1, "plugin " + name + " cannot load: the plugin runtime is closed");
        }
        try {
            return startLocked(file, name, source);
        } finally {
            starting.readLock().unlock();
        }
    }

    private Started startLocked(Path file, String name, Source source) throws PluginException {
        var context = Guest.newContext(engine(), name, settings.limits());
        metrics.contextStarted(name, false);
        var run = runner.run(context, () -> {
            var guest = Guest.in(context, source, settings.limits().maxBufferBytes(), refusals(name));
            return new Started(guest, guest.describe().execute(guest.exports()).asString());
        }, settings.limits().maxTimeout(), settings.limits().allocationBudgetBytes());
        return switch (run) {
            case Runner.Run.Done<Started> done ->
                    new Started(done.value().guest().startedWith(done.allocatedBytes()), done.value().describeJson());
            case Runner.Run.Stopped<Started> stopped ->
                    throw new PluginException(file, 1, "plugin " + name + " was stopped while loading: it "
                            + stopped.cause().describe(settings.limits().maxTimeout(), settings.limits().allocationBudgetBytes()));
            case Runner.Run.Failed<Started> failed -> {
                context.close(true);
                throw loadFailure(file, name, failed.error());
            }
        };
    }

    private static PluginException loadFailure(Path file, String name, Throwable error) {
        if (error instanceof PolyglotException pe) {
            int line = Optional.ofNullable(pe.getSourceLocation())
                    .filter(s -> s.getSource().getName().equals(file.getFileName().toString()))
                    .map(s -> s.getStartLine()).orElse(1);
            var what = pe.isSyntaxError() ? "syntax error: " : "failed while loading: ";
            return new PluginException(file, line, "plugin " + name + " " + what + firstLine(pe.getMessage()));
        }
        return new PluginException(file, 1, "plugin " + name + " failed while loading (" + error.getClass().getSimpleName() + ")");
    }

    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    /**
     * Starts a context for one call of an already loaded plugin: evaluates its module, under the same
     * limits as a call. {@code onCallPath}: a call is waiting for it (for the metric).
     */
    Guest startGuest(String name, Source source, boolean onCallPath) {
        if (!enterStart()) {
            throw new IllegalStateException("plugin " + name + " cannot start a context: the plugin runtime is closed");
        }
        try {
            var limits = settings.limits();
            var context = Guest.newContext(engine(), name, limits);
            metrics.contextStarted(name, onCallPath);
            var run = (onCallPath ? runner : warmer).run(context,
                    () -> Guest.in(context, source, limits.maxBufferBytes(), refusals(name)),
                    limits.maxTimeout(), limits.allocationBudgetBytes());
            return switch (run) {
                case Runner.Run.Done<Guest> done -> done.value().startedWith(done.allocatedBytes());
                case Runner.Run.Stopped<Guest> stopped -> throw new IllegalStateException("plugin " + name + " could not start a "
                        + "context: it " + stopped.cause().describe(limits.maxTimeout(), limits.allocationBudgetBytes()));
                case Runner.Run.Failed<Guest> failed -> {
                    context.close(true);
                    throw new IllegalStateException("plugin " + name + " could not start a context: "
                            + firstLine(String.valueOf(failed.error().getMessage())));
                }
            };
        } finally {
            starting.readLock().unlock();
        }
    }

    /** What the {@link BufferGuard} in a context of {@code plugin} calls when it refuses an allocation. */
    private ProxyExecutable refusals(String plugin) {
        return args -> {
            metrics.refused(plugin);
            return null;
        };
    }

    /** Takes the shared start lock unless the runtime is closing; the caller unlocks it. */
    private boolean enterStart() {
        if (closed || !starting.readLock().tryLock()) {
            return false;
        }
        if (closed) {
            starting.readLock().unlock();
            return false;
        }
        return true;
    }

    /** Counts one more context kept by a call, unless {@link PluginLimits#maxKeptContexts} are kept already. */
    boolean reserveKept() {
        int max = settings.limits().maxKeptContexts();
        while (true) {
            int now = kept.get();
            if (now >= max) {
                return false;
            }
            if (kept.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A kept context was taken for a run, or closed. */
    void releaseKept() {
        kept.decrementAndGet();
    }

    /** Contexts phone calls keep now, all plugins (for tests). */
    int keptContexts() {
        return kept.get();
    }

    Runner runner() {
        return runner;
    }

    HostFetch fetch() {
        return fetch;
    }

    PluginMetrics metrics() {
        return metrics;
    }

    boolean closed() {
        return closed;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the engine and every context still open; plugins loaded from it stop working. */
    @Override
    public void close() {
        closed = true;
        boolean quiet;
        try {
            // each start is bounded by the runner's time limit
            quiet = starting.writeLock().tryLock(settings.limits().maxTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            quiet = false;
        }
        if (!quiet) {
            LogSink.log("engine", "closing while a plugin context is still starting");
        }
        runner.close();
        warmer.close();
        try {
            synchronized (this) {
                if (engine != null) {
                    engine.close(true);
                }
            }
        } catch (RuntimeException ignored) {
            // Closing cancels contexts that are still running; their callers get a failure result.
        }
    }

    /** Checked metadata of a plugin's default export. */
    record Meta(String description, String parametersJson, Optional<String> say, Duration timeout) {
        static Meta read(Path file, String name, String text, String describeJson, PluginLimits limits) throws PluginException {
            JsonNode d;
            try {
                d = Json.read(describeJson);
            } catch (JsonProcessingException e) {
                throw new PluginException(file, 1, "plugin " + name + ": cannot read its default export");
            }
            int exportLine = lineOf(text, "export default");
            if (d.has("problem")) {
                throw new PluginException(file, exportLine, "plugin " + name + ": " + d.get("problem").asText());
            }
            if (!d.path("description").isTextual() || d.path("description").asText().isBlank()) {
                throw new PluginException(file, exportLine, "plugin " + name + ": description must be a non-empty string");
            }
            if (!"function".equals(d.path("run").asText())) {
                throw new PluginException(file, exportLine, "plugin " + name + ": run must be a function: run(args, call) { ... }");
            }
            var say = d.path("say");
            if (!say.isMissingNode() && !say.isNull() && !say.isTextual()) {
                throw new PluginException(file, lineOf(text, "say"), "plugin " + name + ": say must be a string");
            }
            var timeout = limits.defaultTimeout();
            var ms = d.path("timeoutMs");
            if (!ms.isMissingNode() && !ms.isNull()) {
                if (!ms.isNumber() || ms.asLong() < 1 || ms.asLong() > limits.maxTimeout().toMillis()) {
                    throw new PluginException(file, lineOf(text, "timeoutMs"), "plugin " + name + ": timeoutMs must be a number from 1 to "
                            + limits.maxTimeout().toMillis());
                }
                timeout = Duration.ofMillis(ms.asLong());
            }
            return new Meta(d.get("description").asText(), d.path("parameters").asText(),
                    say.isTextual() && !say.asText().isBlank() ? Optional.of(say.asText()) : Optional.empty(), timeout);
        }

        /** One-based line of the first occurrence of {@code token}, or 1. */
        static int lineOf(String text, String token) {
            int at = text.indexOf(token);
            if (at < 0) {
                return 1;
            }
            return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        }
    }
}
