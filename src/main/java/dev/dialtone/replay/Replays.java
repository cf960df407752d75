package dev.dialtone.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginTool;
import dev.dialtone.store.CallStore;

/**
 * Replays stored calls on another version of their flow: the live one (of the call's flow or
 * another), the flow's draft file ({@code flows/NAME.draft.yaml}) or a stored version. A draft or
 * stored version is loaded as a flow set of its own in a scratch folder, checked like any reload,
 * and its plugins closed when the replay is over. The flow's own LLM answers (its key must be set);
 * plugins answer from the stored call ({@link Recorded}). At most {@link #MAX_AT_ONCE} replays run
 * at once and at most {@link #MAX_STEPS} caller steps are replayed; both limits are counted.
 */
public final class Replays {
    public static final int MAX_AT_ONCE = 2;
    public static final int MAX_STEPS = 200;
    public static final String DRAFT_SUFFIX = ".draft.yaml";

    /** Which version to replay on; a null flow means the call's own. */
    public sealed interface Target {
        record Live(String flow) implements Target {
        }

        record Draft(String flow) implements Target {
        }

        record Stored(String flow, String version) implements Target {
        }
    }

    private final FlowRegistry flows;
    private final CallStore store;
    private final Map<String, ChatModel> llms;
    private final PluginRuntime plugins;
    private final Path flowsDir;
    private final Path pluginsDir;
    private final Set<String> providersWithKeys;
    private final Duration patience;
    private final Semaphore running = new Semaphore(MAX_AT_ONCE);
    private final Counter refused;
    private final Counter cut;

    /** @param patience the longest wait for one answer of the LLM */
    public Replays(FlowRegistry flows, CallStore store, Map<String, ChatModel> llms, PluginRuntime plugins, Path flowsDir,
                   Path pluginsDir, Set<String> providersWithKeys, MeterRegistry meters, Duration patience) {
        this.flows = flows;
        this.store = store;
        this.llms = Map.copyOf(llms);
        this.plugins = plugins;
        this.flowsDir = flowsDir;
        this.pluginsDir = pluginsDir;
        this.providersWithKeys = Set.copyOf(providersWithKeys);
        this.patience = patience;
        this.refused = Counter.builder("dialtone.replay.refused")
                .description("Replays refused because " + MAX_AT_ONCE + " were already running").register(meters);
        this.cut = Counter.builder("dialtone.replay.cut")
                .description("Replays of calls with more than " + MAX_STEPS + " caller steps, cut there").register(meters);
    }

    /** Replays the stored call {@code sid} on {@code target}. Blocks while the LLM answers. */
    public Replay replay(String sid, Target target) throws ReplayException, InterruptedException {
        if (!running.tryAcquire()) {
            refused.increment();
            throw new ReplayException(ReplayException.Kind.BUSY, MAX_AT_ONCE + " replays are running already; try again when one is done");
        }
        try {
            var call = store.findCall(sid).orElseThrow(() -> new ReplayException(ReplayException.Kind.NOT_FOUND, "no stored call " + sid));
            var summary = call.summary();
            var original = StoredCall.exchanges(call);
            var steps = StoredCall.steps(original);
            if (steps.size() > MAX_STEPS) {
                cut.increment();
                steps = steps.subList(0, MAX_STEPS);
                original = original.subList(0, MAX_STEPS + 1);
            }
            var loaded = load(target, summary.flowName());
            try {
                var version = loaded.version();
                var llm = llms.get(version.flow().llm().provider());
                if (llm == null) {
                    throw new ReplayException(ReplayException.Kind.UNAVAILABLE, "flow " + version.name() + " uses "
                            + version.flow().llm().provider() + ", whose API key is not set here");
                }
                var setup = ReplayRun.setup(sid, summary.from(), summary.to(), summary.startedAt());
                var outcome = ReplayRun.run(Recorded.of(version, original), llm, setup, steps, patience);
                return new Replay(sid, new Replay.Side(summary.flowName(), summary.flowVersion(), "stored call"),
                        new Replay.Side(version.name(), version.hash(), loaded.label()),
                        Replay.compare(original, outcome.exchanges()), outcome.problem().orElse(null));
            } finally {
                loaded.close();
            }
        } finally {
            running.release();
        }
    }

    /** A version to replay on, and what to close after. */
    private record Loaded(FlowVersion version, String label, FlowRegistry scratch, Path dir) implements AutoCloseable {
        @Override
        public void close() {
            if (scratch == null) {
                return;
            }
            scratch.close();
            version.tools().values().stream().filter(t -> t instanceof PluginTool).forEach(t -> ((PluginTool) t).close());
            delete(dir);
        }
    }

    private Loaded load(Target target, String callFlow) throws ReplayException {
        return switch (target) {
            case Target.Live live -> {
                var name = live.flow() == null ? callFlow : live.flow();
                yield new Loaded(flows.byName(name).orElseThrow(() -> new ReplayException(ReplayException.Kind.NOT_FOUND,
                        "no live flow named " + name)), "live", null, null);
            }
            case Target.Draft draft -> {
                var name = draft.flow() == null ? callFlow : draft.flow();
                var file = flowsDir.resolve(name + DRAFT_SUFFIX);
                if (!Files.isRegularFile(file)) {
                    throw new ReplayException(ReplayException.Kind.NOT_FOUND, "flow " + name + " has no draft (" + file.getFileName() + ")");
                }
                var files = new LinkedHashMap<String, String>();
                try {
                    files.put("flows/" + name + ".yaml", Files.readString(file));
                    try (Stream<Path> list = Files.list(pluginsDir)) {
                        for (var p : list.filter(p -> p.getFileName().toString().endsWith(".js")).sorted().toList()) {
                            files.put("plugins/" + p.getFileName(), Files.readString(p));
                        }
                    }
                } catch (IOException e) {
                    throw new ReplayException(ReplayException.Kind.NOT_FOUND, "cannot read the draft of " + name + " ("
                            + e.getClass().getSimpleName() + ")");
                }
                yield scratch(files, name, "draft", Map.of(name + ".yaml", file.getFileName().toString()));
            }
            case Target.Stored stored -> {
                var name = stored.flow() == null ? callFlow : stored.flow();
                var live = flows.byName(name);
                if (live.isPresent() && live.get().hash().equals(stored.version())) {
                    yield new Loaded(live.get(), "stored version (live)", null, null);
                }
                var version = store.findVersion(name, stored.version()).orElseThrow(() -> new ReplayException(
                        ReplayException.Kind.NOT_FOUND, "no stored version " + stored.version() + " of flow " + name));
                var files = new LinkedHashMap<String, String>();
                version.files().forEach(f -> files.put(f.path(), f.text()));
                yield scratch(files, name, "stored version", Map.of());
            }
        };
    }

    /**
     * Loads {@code files} (paths under flows/ and plugins/) as a flow set of their own and takes
     * {@code name} from it; problems name the files as {@code shownAs} says (a draft is loaded as NAME.yaml).
     */
    private Loaded scratch(Map<String, String> files, String name, String label, Map<String, String> shownAs) throws ReplayException {
        Path dir;
        try {
            dir = Files.createTempDirectory("dialtone-replay");
            Files.createDirectories(dir.resolve("flows"));
            Files.createDirectories(dir.resolve("plugins"));
            for (var e : files.entrySet()) {
                var target = dir.resolve(e.getKey()).normalize();
                if (!target.startsWith(dir.resolve("flows")) && !target.startsWith(dir.resolve("plugins"))) {
                    continue; // only the two folders, whatever a stored path says
                }
                Files.writeString(target, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a scratch folder for the replay", e);
        }
        var registry = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, providersWithKeys,
                                        new SimpleMeterRegistry(), Clock.systemUTC());
        var outcome = registry.reload();
        var version = outcome.applied() ? registry.byName(name) : Optional.<FlowVersion>empty();
        if (version.isEmpty()) {
            registry.close();
            delete(dir);
            var why = outcome.applied() ? "it defines no flow named " + name
                    : String.join("; ", outcome.errors().stream().map(p -> shownAs.getOrDefault(p.file().getFileName().toString(),
                            p.file().getFileName().toString()) + ":" + p.line() + ": " + p.message()).toList());
            throw new ReplayException(ReplayException.Kind.INVALID, "the " + label + " of " + name + " does not load: " + why);
        }
        return new Loaded(version.get(), label, registry, dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (var p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a scratch folder left in the temp folder is harmless
        }
    }
}
