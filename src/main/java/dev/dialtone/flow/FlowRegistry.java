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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.Comparator;

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
                            Optional<FlowVersion> fallback, Map<String, PluginTool> plugins, List<Problem> warnings,
                            Map<String, FlowVersion> drafts, List<Problem> draftProblems) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Optional.empty(), Map.of(), List.of(), Map.of(), List.of());

        static Snapshot of(Map<String, FlowVersion> versions, Map<String, PluginTool> plugins, List<Problem> warnings,
                           FlowSetLoader.Drafts drafts) {
            var byNumber = new HashMap<String, FlowVersion>();
            versions.values().forEach(v -> v.flow().numbers().forEach(n -> byNumber.put(n, v)));
            var fallback = versions.values().stream().filter(v -> v.flow().isDefault()).findFirst();
            return new Snapshot(Map.copyOf(versions), Map.copyOf(byNumber), fallback, Map.copyOf(plugins), List.copyOf(warnings),
                                Map.copyOf(drafts.versions()), drafts.problems());
        }
    }

    /** What {@link #byName} takes for a flow's draft: {@code luigis.draft} (flow names have no dot). */
    public static final String DRAFT = ".draft";

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
    private final ReloadGate gate;
    private final Map<String, String> gatePassed = new HashMap<>();  // flow -> what its gate last passed on; guarded by `reloading`
    private final Map<String, String> testReports = new ConcurrentHashMap<>(); // flow -> its tests' latest verdict, for the status
    private final CountDownLatch firstLoad = new CountDownLatch(1);
    private volatile boolean loadingFirst; // a first load runs in the background: lookups wait for it

    /**
     * @param providersWithKeys provider names whose API key is configured (see {@link ProviderCatalog#configuredIn})
     * @param clock             stamps {@link FlowVersion#loadedAt()}
     */
    public FlowRegistry(Path flowsDir, Path pluginsDir, PluginRuntime plugins, Set<String> providersWithKeys,
                        MeterRegistry meters, Clock clock) {
        this(flowsDir, pluginsDir, plugins, providersWithKeys, meters, clock, ReloadGate.NONE);
    }

    /** @param gate runs the tests of flows with {@code tests: gate} before a new version of them goes live */
    public FlowRegistry(Path flowsDir, Path pluginsDir, PluginRuntime plugins, Set<String> providersWithKeys,
                        MeterRegistry meters, Clock clock, ReloadGate gate) {
        this.gate = gate;
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
        return startInBackground(CompletableFuture.completedFuture(null));
    }

    /** As {@link #startInBackground()}, with the load itself begun once {@code after} completes, however it completes. */
    public CompletableFuture<ReloadOutcome> startInBackground(CompletionStage<?> after) {
        var outcome = new CompletableFuture<ReloadOutcome>();
        loadingFirst = true;
        Thread.ofPlatform().name("flows-first-load").daemon().start(() -> {
            try {
                after.toCompletableFuture().exceptionally(failure -> null).join();
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

    /** The live flow of that name, or for {@code <name>.draft} its draft, if it has one. */
    public Optional<FlowVersion> byName(String name) {
        var snapshot = live();
        return name.endsWith(DRAFT) ? Optional.ofNullable(snapshot.drafts().get(name.substring(0, name.length() - DRAFT.length())))
                : Optional.ofNullable(snapshot.byName().get(name));
    }

    /**
     * The name of the flow that answers a call ({@link #byName} takes it): the called number's flow,
     * or its draft ({@code luigis.draft}) when the caller is one of the draft's staging callers.
     */
    public Optional<String> routeCall(String calledNumber, String callerNumber) {
        var flow = forNumber(calledNumber);
        var draft = flow.map(v -> live().drafts().get(v.name()));
        if (draft.isPresent() && draft.get().flow().stagingCallers().contains(callerNumber)) {
            return Optional.of(flow.get().name() + DRAFT);
        }
        return flow.map(FlowVersion::name);
    }

    /** The drafts that loaded, by their flow's name. */
    public Map<String, FlowVersion> drafts() {
        return live().drafts();
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
                    previous.byName(), previous.drafts(), clock.instant());
            var gated = loaded.ok() ? runGates(loaded.versions(), previous.byName()) : new GateRun(List.of(), Map.of(), Duration.ZERO);
            ReloadOutcome outcome;
            if (loaded.ok() && gated.failures().isEmpty()) {
                var warnings = loaded.problems().stream().filter(p -> !p.isError()).toList();
                var next = Snapshot.of(loaded.versions(), loaded.plugins(), warnings, loaded.drafts());
                current.set(next);
                var changed = changed(previous, next);
                previous.plugins().forEach((name, tool) -> {
                    if (next.plugins().get(name) != tool) {
                        tool.close(); // retire: calls pinned to old versions still work, on fresh contexts
                    }
                });
                updateGauges(next);
                gatePassed.putAll(gated.passed());
                gated.passed().keySet().forEach(name -> afterSwap(next.byName().get(name)));
                var problems = new ArrayList<>(loaded.problems());
                problems.addAll(loaded.drafts().problems());
                outcome = new ReloadOutcome(true, problems, changed, clock.instant(), Duration.ofNanos(System.nanoTime() - t0));
                if (!changed.isEmpty() || !gated.passed().isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "flows reloaded in " + outcome.took().toMillis() + " ms"
                            + (gated.passed().isEmpty() ? "" : " (tests of " + String.join(", ", gated.passed().keySet())
                                    + " passed in " + gated.took().toMillis() + " ms)")
                            + "; changed: " + String.join(", ", changed));
                }
                if (!loaded.drafts().problems().isEmpty() && !loaded.drafts().problems().equals(previous.draftProblems())) {
                    LOG.log(System.Logger.Level.WARNING, "drafts with problems (the live flows are not affected):\n  "
                            + String.join("\n  ", loaded.drafts().problems().stream().map(Problem::toString).toList()));
                }
            } else {
                loaded.fresh().forEach(PluginTool::close);
                failures.increment();
                var problems = new ArrayList<>(loaded.problems());
                problems.addAll(gated.failures());
                outcome = new ReloadOutcome(false, problems, List.of(), clock.instant(), Duration.ofNanos(System.nanoTime() - t0));
                LOG.log(System.Logger.Level.WARNING, "flow reload refused" + (gated.failures().isEmpty() ? "" : " by a failing test")
                        + "; the previous flows stay live:\n  "
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

    /** The gates' failures (errors at the test files' lines), what each passing gate passed on, and how long the cases took. */
    private record GateRun(List<Problem> failures, Map<String, String> passed, Duration took) {
    }

    /**
     * Runs the gate of every gated flow whose version, tests or recordings differ from what its gate
     * last passed on. A failure refuses a new version; when only the tests or recordings changed, the
     * live version is the one tested and stays: the failure is reported (log, status, metric) and
     * the reload goes on.
     */
    private GateRun runGates(Map<String, FlowVersion> candidates, Map<String, FlowVersion> live) {
        var failed = new ArrayList<Problem>();
        var passed = new LinkedHashMap<String, String>();
        var took = Duration.ZERO;
        for (var v : candidates.values()) {
            if (!v.flow().testsGate() || gate == ReloadGate.NONE) {
                continue;
            }
            var inputs = v.hash() + ":" + gate.fingerprint(v);
            if (inputs.equals(gatePassed.get(v.name()))) {
                continue;
            }
            var verdict = gate.check(v);
            took = took.plus(verdict.took());
            Timer.builder("dialtone.flows.gate.duration").description("Time the gated flows' tests took in a reload")
                    .tag("flow", v.name()).register(meters).record(verdict.took());
            boolean unchanged = live.get(v.name()) == v;
            if (verdict.passed()) {
                passed.put(v.name(), inputs);
                testReports.put(v.name(), "gate passed on version " + v.hash() + ": " + verdict.summary());
                continue;
            }
            Counter.builder("dialtone.flows.gate.failures").description("Gated flows whose tests failed in a reload (refused: a new version refused)")
                    .tag("flow", v.name()).tag("refused", String.valueOf(!unchanged)).register(meters).increment();
            var lines = verdict.failures().stream().map(p -> "\n" + p).reduce("", String::concat);
            if (unchanged) {
                gatePassed.put(v.name(), inputs); // reported once per change of the tests, not at every reload
                testReports.put(v.name(), "tests changed and fail on the live version " + v.hash() + ": " + verdict.summary() + lines);
                LOG.log(System.Logger.Level.WARNING, "flow " + v.name() + ": its tests changed and fail on the live version"
                        + " (nothing to refuse; it stays live):" + lines.replace("\n", "\n  "));
            } else {
                failed.addAll(verdict.failures());
                testReports.put(v.name(), "gate refused a new version: " + verdict.summary());
            }
        }
        return new GateRun(failed, passed, took);
    }

    /** Starts the cases of a version that just passed its gate which need a live LLM; their verdict joins the status. */
    private void afterSwap(FlowVersion live) {
        var gateReport = testReports.getOrDefault(live.name(), "");
        gate.afterSwap(live, verdict -> {
            var line = "live LLM cases of version " + live.hash() + ": " + verdict.summary();
            if (!verdict.passed()) {
                Counter.builder("dialtone.flows.tests.live.failures").description("Cases needing a live LLM that failed after a swap")
                        .tag("flow", live.name()).register(meters).increment();
                LOG.log(System.Logger.Level.WARNING, "flow " + live.name() + ": " + line + "\n  "
                        + String.join("\n  ", verdict.failures().stream().map(Problem::toString).toList()));
            } else {
                LOG.log(System.Logger.Level.INFO, "flow " + live.name() + ": " + line);
            }
            testReports.put(live.name(), gateReport + "\n" + line + verdict.failures().stream().map(p -> "\n" + p).reduce("", String::concat));
        });
    }

    /** The flows (and drafts, as {@code <name>.draft}) that got a new version or went away. */
    private static List<String> changed(Snapshot previous, Snapshot next) {
        var out = new ArrayList<String>();
        changed(previous.byName(), next.byName(), "", out);
        changed(previous.drafts(), next.drafts(), DRAFT, out);
        return out.stream().sorted().toList();
    }

    private static void changed(Map<String, FlowVersion> previous, Map<String, FlowVersion> next, String suffix, List<String> out) {
        next.forEach((name, v) -> {
            if (previous.get(name) != v) {
                out.add(name + suffix);
            }
        });
        previous.keySet().stream().filter(n -> !next.containsKey(n)).forEach(n -> out.add(n + suffix));
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

    /**
     * One entry per live flow, then its draft if it has one (loaded, or failing with no earlier
     * version), plus one per file that failed the last reload without a live flow.
     */
    public List<FlowStatus> status() {
        var snapshot = current.get();
        return FlowStatuses.of(versions(), snapshot.drafts(), snapshot.warnings(), snapshot.draftProblems(),
                               Optional.ofNullable(lastOutcome), testReports);
    }

    /** Stops watching the folders. Idempotent; the live flows stay readable. */
    @Override
    public void close() {
        watch.close();
    }
}
