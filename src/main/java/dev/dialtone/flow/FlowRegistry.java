package dev.dialtone.flow;

import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginTool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.Comparator;
import java.util.HashSet;

/**
 * Called number -> flow version, hot-reloaded. The live set is one immutable snapshot behind an
 * {@link AtomicReference}: a reload loads and checks every flow and plugin file off the request
 * path and swaps the whole snapshot at once, or, if anything is wrong, changes nothing and reports
 * the problems (log, metrics, {@link #status()}). Lookups never see a half state, and block only
 * at start-up, while the first load (plugins included) is still running in the background.
 */
public final class FlowRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FlowRegistry.class.getName());
    /** How long the folders must be quiet before a change is loaded. */
    static final Duration QUIET = Duration.ofMillis(150);
    /** Longest a call's lookup waits for the first load: the server listens before its flows are ready. */
    static final Duration FIRST_LOAD_WAIT = Duration.ofSeconds(30);

    private record Snapshot(Map<String, FlowVersion> byName, Map<String, FlowVersion> byNumber,
                            Optional<FlowVersion> fallback, Map<String, PluginTool> plugins, List<Problem> warnings) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Optional.empty(), Map.of(), List.of());

        static Snapshot of(Map<String, FlowVersion> versions, Map<String, PluginTool> plugins, List<Problem> warnings) {
            var byNumber = new HashMap<String, FlowVersion>();
            versions.values().forEach(v -> v.flow().numbers().forEach(n -> byNumber.put(n, v)));
            var fallback = versions.values().stream().filter(v -> v.flow().isDefault()).findFirst();
            return new Snapshot(Map.copyOf(versions), Map.copyOf(byNumber), fallback, Map.copyOf(plugins), List.copyOf(warnings));
        }
    }

    private final Path flowsDir;
    private final Path pluginsDir;
    private final PluginRuntime plugins;
    private final Set<String> providersWithKeys;
    private final MeterRegistry meters;
    private final Clock clock;
    private final AtomicReference<Snapshot> current = new AtomicReference<>(Snapshot.EMPTY); // read by any thread
    private final ReentrantLock reloading = new ReentrantLock(); // one reload at a time
    private volatile ReloadOutcome lastOutcome; // written under `reloading`
    private final Map<String, Gauge> versionGauges = new HashMap<>(); // guarded by `reloading`
    private final List<Consumer<ReloadOutcome>> listeners = new CopyOnWriteArrayList<>();
    private final Counter failures;
    private final FolderWatch watch;
    private final CountDownLatch firstLoad = new CountDownLatch(1);
    private volatile boolean loadingFirst; // a first load runs in the background: lookups wait for it

    /**
     * @param providersWithKeys provider names whose API key is configured (see {@link ProviderCatalog#configuredIn})
     * @param clock             stamps {@link FlowVersion#loadedAt()}
     */
    public FlowRegistry(Path flowsDir, Path pluginsDir, PluginRuntime plugins, Set<String> providersWithKeys,
                        MeterRegistry meters, Clock clock) {
        this.flowsDir = flowsDir;
        this.pluginsDir = pluginsDir;
        this.plugins = plugins;
        this.providersWithKeys = Set.copyOf(providersWithKeys);
        this.meters = meters;
        this.clock = clock;
        this.failures = Counter.builder("dialtone.flows.reload.failures")
                .description("Reloads refused because a flow or plugin file had an error").register(meters);
        this.watch = new FolderWatch(List.of(flowsDir, pluginsDir), QUIET, this::reload);
    }

    /** Loads the flows once (synchronously) and starts watching the folders for changes. */
    public ReloadOutcome start() {
        var outcome = reload();
        try {
            watch.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + flowsDir + " and " + pluginsDir, e);
        }
        return outcome;
    }

    /**
     * Runs {@link #start()} on a thread of its own, so that the server listens while the plugins load;
     * {@link #forNumber} and {@link #byName} wait for that first load, so a call that comes first is
     * still answered by its flow.
     */
    public CompletableFuture<ReloadOutcome> startInBackground() {
        var outcome = new CompletableFuture<ReloadOutcome>();
        loadingFirst = true;
        Thread.ofPlatform().name("flows-first-load").daemon().start(() -> {
            try {
                outcome.complete(start());
            } catch (RuntimeException e) {
                firstLoad.countDown();
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    /** The flow for a called number: the flow that lists it, else the default flow, if any. */
    public Optional<FlowVersion> forNumber(String calledNumber) {
        var snapshot = live();
        var exact = snapshot.byNumber().get(calledNumber);
        return exact != null ? Optional.of(exact) : snapshot.fallback();
    }

    public Optional<FlowVersion> byName(String name) {
        return Optional.ofNullable(live().byName().get(name));
    }

    /** The live snapshot, once the first load has ended (or {@link #FIRST_LOAD_WAIT} has passed). */
    private Snapshot live() {
        if (loadingFirst && firstLoad.getCount() > 0) {
            try {
                if (!firstLoad.await(FIRST_LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "the flows are still loading after {0} s; answering without them",
                            FIRST_LOAD_WAIT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return current.get();
    }

    /** The live versions, by name. */
    public List<FlowVersion> versions() {
        return current.get().byName().values().stream().sorted(Comparator.comparing(FlowVersion::name)).toList();
    }

    /** The outcome of the latest reload, if one has run. */
    public Optional<ReloadOutcome> lastReload() {
        return Optional.ofNullable(lastOutcome);
    }

    /** Runs {@code listener} after every reload, on the reloading thread; it must be quick and not throw. */
    public void onReload(Consumer<ReloadOutcome> listener) {
        listeners.add(listener);
    }

    /** Loads and checks all files now and swaps them in if they are all valid. Thread-safe; blocks during another reload. */
    public ReloadOutcome reload() {
        reloading.lock();
        try {
            long t0 = System.nanoTime();
            var previous = current.get();
            var loaded = FlowSetLoader.load(flowsDir, pluginsDir, plugins, providersWithKeys, previous.plugins(),
                    previous.byName(), clock.instant());
            ReloadOutcome outcome;
            if (loaded.ok()) {
                var warnings = loaded.problems().stream().filter(p -> !p.isError()).toList();
                var next = Snapshot.of(loaded.versions(), loaded.plugins(), warnings);
                current.set(next);
                var changed = changed(previous, next);
                previous.plugins().forEach((name, tool) -> {
                    if (next.plugins().get(name) != tool) {
                        tool.close(); // retire: calls pinned to old versions still work, on fresh contexts
                    }
                });
                updateGauges(next);
                outcome = new ReloadOutcome(true, loaded.problems(), changed, clock.instant(), Duration.ofNanos(System.nanoTime() - t0));
                if (!changed.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "flows reloaded in " + outcome.took().toMillis() + " ms; changed: " + String.join(", ", changed));
                }
            } else {
                loaded.fresh().forEach(PluginTool::close);
                failures.increment();
                outcome = new ReloadOutcome(false, loaded.problems(), List.of(), clock.instant(), Duration.ofNanos(System.nanoTime() - t0));
                LOG.log(System.Logger.Level.WARNING, "flow reload refused; the previous flows stay live:\n  "
                        + String.join("\n  ", outcome.errors().stream().map(Problem::toString).toList()));
            }
            Timer.builder("dialtone.flows.reload.duration").tag("outcome", outcome.applied() ? "applied" : "refused")
                    .register(meters).record(outcome.took());
            lastOutcome = outcome;
            firstLoad.countDown(); // before the listeners: they may look flows up
            for (var listener : listeners) {
                listener.accept(outcome);
            }
            return outcome;
        } finally {
            firstLoad.countDown();
            reloading.unlock();
        }
    }

    private static List<String> changed(Snapshot previous, Snapshot next) {
        var out = new ArrayList<String>();
        next.byName().forEach((name, v) -> {
            if (previous.byName().get(name) != v) {
                out.add(name);
            }
        });
        previous.byName().keySet().stream().filter(n -> !next.byName().containsKey(n)).forEach(out::add);
        return out.stream().sorted().toList();
    }

    private void updateGauges(Snapshot next) {
        var wanted = new HashMap<String, FlowVersion>();
        next.byName().values().forEach(v -> wanted.put(v.name() + "@" + v.hash(), v));
        versionGauges.entrySet().removeIf(e -> {
            if (!wanted.containsKey(e.getKey())) {
                meters.remove(e.getValue());
                return true;
            }
            return false;
        });
        wanted.forEach((key, v) -> versionGauges.computeIfAbsent(key, k -> Gauge
                .builder("dialtone.flows.version", v, x -> x.loadedAt().getEpochSecond())
                .description("Live version of each flow; the value is when it was loaded (epoch seconds)")
                .tag("flow", v.name()).tag("version", v.hash())
                .register(meters)));
    }

    /** One entry per live flow, plus one per file that failed the last reload without a live flow. */
    public List<FlowStatus> status() {
        var snapshot = current.get();
        var outcome = lastOutcome;
        var errorsByFile = new LinkedHashMap<Path, List<String>>();
        if (outcome != null && !outcome.applied()) {
            outcome.errors().forEach(p -> errorsByFile.computeIfAbsent(p.file(), f -> new ArrayList<>()).add(p.toString()));
        }
        var out = new ArrayList<FlowStatus>();
        var covered = new HashSet<Path>();
        for (var v : versions()) {
            var flow = v.flow();
            var errors = new ArrayList<>(errorsByFile.getOrDefault(flow.file(), List.of()));
            covered.add(flow.file());
            v.tools().values().stream().filter(t -> t instanceof PluginTool).map(t -> ((PluginTool) t).file()).forEach(f -> {
                errors.addAll(errorsByFile.getOrDefault(f, List.of()));
                covered.add(f);
            });
            var warnings = snapshot.warnings().stream().filter(p -> p.file().equals(flow.file())).map(Problem::toString).toList();
            out.add(new FlowStatus(flow.name(), flow.file(), flow.numbers(), flow.isDefault(), Optional.of(v.hash()),
                    Optional.of(v.loadedAt()), errors.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", errors)), warnings));
        }
        errorsByFile.forEach((file, errors) -> {
            if (!covered.contains(file)) {
                var name = file.getFileName().toString().replaceFirst("\\.(ya?ml|js)$", "");
                out.add(new FlowStatus(name, file, List.of(), false, Optional.empty(), Optional.empty(),
                        Optional.of(String.join("\n", errors)), List.of()));
            }
        });
        return out;
    }

    /** Stops watching the folders. Idempotent; the live flows stay readable. */
    @Override
    public void close() {
        watch.close();
    }
}
