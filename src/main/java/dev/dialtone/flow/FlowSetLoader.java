package dev.dialtone.flow;

import dev.dialtone.plugin.PluginException;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginTool;
import dev.dialtone.plugin.Tool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.Comparator;
import java.util.Objects;

/**
 * Loads the whole set of flow and plugin files and checks it. Unchanged plugins (same source
 * hash) and unchanged flows (same version hash) are reused from the previous set, so a reload
 * neither re-warms untouched plugins nor gives untouched flows a new version.
 */
final class FlowSetLoader {
    private FlowSetLoader() {
    }

    /**
     * The outcome of loading a set: when {@link #problems} has no error, {@link #versions} is the
     * new set; {@link #fresh} are the plugin versions loaded by this pass (to close if discarded).
     */
    record LoadedSet(List<Problem> problems, Map<String, FlowVersion> versions, Map<String, PluginTool> plugins,
                     List<PluginTool> fresh, Drafts drafts) {
        boolean ok() {
            return problems.stream().noneMatch(Problem::isError);
        }
    }

    /** As below, with no drafts loaded before. */
    static LoadedSet load(Path flowsDir, Path pluginsDir, PluginRuntime runtime, Set<String> providersWithKeys,
                          Map<String, PluginTool> previousPlugins, Map<String, FlowVersion> previousVersions, Instant now) {
        return load(flowsDir, pluginsDir, runtime, providersWithKeys, previousPlugins, previousVersions, Map.of(), now);
    }

    /**
     * @param now stamps new versions, and its UTC day is the "today" of the models' retirement dates
     */
    static LoadedSet load(Path flowsDir, Path pluginsDir, PluginRuntime runtime, Set<String> providersWithKeys,
                          Map<String, PluginTool> previousPlugins, Map<String, FlowVersion> previousVersions,
                          Map<String, FlowVersion> previousDrafts, Instant now) {
        var problems = new ArrayList<Problem>();
        var plugins = new TreeMap<String, PluginTool>();
        var broken = new HashMap<String, Problem>();
        var fresh = new ArrayList<PluginTool>();
        for (var file : files(pluginsDir, ".js", problems, false)) {
            var name = file.getFileName().toString().replaceFirst("\\.js$", "");
            if (BuiltinTools.NAMES.contains(name) || name.startsWith(BuiltinTools.TRANSITION_PREFIX)) {
                problems.add(Problem.error(file, 1, "plugin " + name + " has the name of a built-in tool; rename the file"));
                continue;
            }
            try {
                var hash = sha256(Files.readAllBytes(file));
                var previous = previousPlugins.get(name);
                if (previous != null && previous.sourceHash().equals(hash) && previous.file().equals(file)) {
                    plugins.put(name, previous);
                } else {
                    var tool = runtime.load(file);
                    fresh.add(tool);
                    plugins.put(name, tool);
                }
            } catch (IOException e) {
                problems.add(Problem.error(file, 1, "cannot read plugin file (" + e.getClass().getSimpleName() + ")"));
            } catch (PluginException e) {
                var problem = Problem.error(file, e.line(), e.reason());
                problems.add(problem);
                broken.put(name, problem);
            }
        }
        var parsed = new ArrayList<ParsedFlow>();
        var texts = new HashMap<Path, byte[]>();
        for (var file : files(flowsDir, null, problems, true)) {
            try {
                var bytes = Files.readAllBytes(file);
                texts.put(file, bytes);
                FlowParser.parse(file, new String(bytes, StandardCharsets.UTF_8), problems).ifPresent(parsed::add);
            } catch (IOException e) {
                problems.add(Problem.error(file, 1, "cannot read flow file (" + e.getClass().getSimpleName() + ")"));
            }
        }
        FlowSetCheck.check(parsed, plugins.keySet(), broken, providersWithKeys, LocalDate.ofInstant(now, ZoneOffset.UTC), problems);
        problems.sort(Comparator.comparing((Problem p) -> p.file().toString()).thenComparingInt(Problem::line));
        var versions = new LinkedHashMap<String, FlowVersion>();
        var drafts = Drafts.NONE;
        if (problems.stream().noneMatch(Problem::isError)) {
            for (var p : parsed) {
                versions.put(p.flow().name(), version(p.flow(), texts.get(p.flow().file()), plugins,
                        previousVersions.get(p.flow().name()), now));
            }
            drafts = drafts(flowsDir, parsed, plugins, broken, providersWithKeys, previousDrafts, now);
        }
        return new LoadedSet(List.copyOf(problems), versions, plugins, fresh, drafts);
    }

    /**
     * The drafts beside the flows, by their flow's name, and their problems. A draft is checked as
     * if it replaced its flow in the set; one with an error is left out (the previous version of that
     * draft, if any, stays), and never makes the live set fail.
     */
    record Drafts(Map<String, FlowVersion> versions, List<Problem> problems) {
        static final Drafts NONE = new Drafts(Map.of(), List.of());
    }

    private static Drafts drafts(Path flowsDir, List<ParsedFlow> live, Map<String, PluginTool> plugins,
                                 Map<String, Problem> broken, Set<String> providersWithKeys,
                                 Map<String, FlowVersion> previousDrafts, Instant now) {
        var versions = new LinkedHashMap<String, FlowVersion>();
        var problems = new ArrayList<Problem>();
        for (var file : draftFiles(flowsDir, problems)) {
            var own = new ArrayList<Problem>();
            var stem = FlowFileNames.stem(file);
            var flowOf = live.stream().filter(p -> FlowFileNames.stem(p.flow().file()).equals(stem)).findFirst();
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                problems.add(Problem.error(file, 1, "cannot read the draft (" + e.getClass().getSimpleName() + ")"));
                continue;
            }
            var draft = FlowParser.parse(file, new String(bytes, StandardCharsets.UTF_8), own);
            if (flowOf.isEmpty()) {
                own.add(Problem.error(file, 1, "a draft is the next version of a flow beside it: " + stem
                        + ".yaml is not in the flows folder (a new flow needs no draft)"));
            } else if (draft.isPresent() && !draft.get().flow().name().equals(flowOf.get().flow().name())) {
                own.add(Problem.error(file, draft.get().nameLine(), "a draft keeps its flow's name (name: "
                        + flowOf.get().flow().name() + "), so that promoting it is a rename"));
            } else if (draft.isPresent()) {
                var set = new ArrayList<>(live);
                set.remove(flowOf.get());
                set.add(draft.get()); // last: problems across files are reported at the draft's lines
                var all = new ArrayList<Problem>();
                FlowSetCheck.check(set, plugins.keySet(), broken, providersWithKeys, LocalDate.ofInstant(now, ZoneOffset.UTC), all);
                all.stream().filter(p -> p.file().equals(file)).forEach(own::add);
            }
            problems.addAll(own);
            var name = flowOf.map(p -> p.flow().name()).orElse(stem);
            if (draft.isPresent() && own.stream().noneMatch(Problem::isError)) {
                versions.put(name, version(draft.get().flow(), bytes, plugins, previousDrafts.get(name), now));
            } else if (previousDrafts.containsKey(name) && previousDrafts.get(name).flow().file().equals(file)) {
                versions.put(name, previousDrafts.get(name)); // a broken save of a draft keeps its last good version
            }
        }
        problems.sort(Comparator.comparing((Problem p) -> p.file().toString()).thenComparingInt(Problem::line));
        return new Drafts(versions, problems);
    }

    private static List<Path> draftFiles(Path dir, List<Problem> problems) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).filter(FlowFileNames::isDraft)
                       .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            problems.add(Problem.error(dir, 1, "cannot list the drafts (" + e.getClass().getSimpleName() + ")"));
            return List.of();
        }
    }

    private static FlowVersion version(Flow flow, byte[] text, Map<String, PluginTool> plugins, FlowVersion previous, Instant now) {
        var tools = new LinkedHashMap<String, Tool>();
        var names = new ArrayList<>(flow.tools());
        flow.nodes().values().forEach(n -> names.addAll(n.tools()));
        var digest = digest();
        digest.update(text);
        for (var name : names) {
            if (tools.containsKey(name)) {
                continue;
            }
            var tool = switch (name) {
                case BuiltinTools.END_CALL -> BuiltinTools.endCall();
                case BuiltinTools.TRANSFER_CALL -> BuiltinTools.transferCall(flow.transferTo().orElseThrow());
                default -> plugins.get(name);
            };
            tools.put(name, tool);
        }
        tools.keySet().stream().sorted().map(plugins::get).filter(Objects::nonNull)
                .forEach(p -> digest.update((p.name() + ":" + p.sourceHash() + "\n").getBytes(StandardCharsets.UTF_8)));
        var hash = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        if (previous != null && previous.hash().equals(hash) && sameTools(previous, tools)) {
            return previous;
        }
        var transitions = new HashMap<String, List<Tool>>();
        flow.nodes().values().forEach(n -> transitions.put(n.name(),
                n.next().entrySet().stream().map(e -> BuiltinTools.transition(e.getKey(), e.getValue())).toList()));
        return new FlowVersion(flow, tools, transitions, hash, now, new String(text, StandardCharsets.UTF_8));
    }

    private static boolean sameTools(FlowVersion previous, Map<String, Tool> tools) {
        return tools.entrySet().stream().allMatch(e -> !(e.getValue() instanceof PluginTool)
                || previous.tools().get(e.getKey()) == e.getValue());
    }

    private static List<Path> files(Path dir, String suffix, List<Problem> problems, boolean required) {
        if (!Files.isDirectory(dir)) {
            if (required) {
                problems.add(Problem.error(dir, 1, "the flows folder does not exist"));
            }
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> suffix != null ? p.getFileName().toString().endsWith(suffix) : FlowFileNames.isFlow(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            problems.add(Problem.error(dir, 1, "cannot list the folder (" + e.getClass().getSimpleName() + ")"));
            return List.of();
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
