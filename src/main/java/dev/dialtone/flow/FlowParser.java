package dev.dialtone.flow;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads one flow file into a {@link ParsedFlow}, adding every problem found in the file itself to a
 * list (each with its line): YAML syntax, unknown keys, wrong types, bad numbers, unknown providers,
 * template placeholders, node references and reachability. Checks across files are
 * {@link FlowSetCheck}'s. Parsing goes on past a problem so one pass reports them all.
 */
final class FlowParser {
    static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
    static final Pattern NODE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,40}");
    static final Pattern FLOW_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Set<String> TOP = Set.of("name", "numbers", "default", "greeting", "prompt", "stt", "llm", "tts",
            "tools", "turn", "start", "nodes", "dtmf", "transfer_to", "timezone");
    static final Set<String> TURN = Set.of("interruptions", "min_interrupt_words", "silence_reprompt_s", "max_call_s");
    static final Set<String> NODE = Set.of("prompt", "tools", "say", "next", "end");
    static final Set<String> DTMF_ROUTE = Set.of("node", "transfer", "hangup");
    static final Set<String> DTMF_KEYS = Set.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#");
    static final Map<String, ProviderBlock> DEFAULT_PROVIDERS = Map.of(
            "stt", new ProviderBlock("deepgram", Optional.of("nova-3"), Optional.of("en-US"), Optional.empty(), Optional.empty(), Map.of()),
            "llm", new ProviderBlock("openai", Optional.of(ProviderCatalog.DEFAULT_MODELS.get("openai")), Optional.empty(), Optional.empty(),
                    Optional.of(0.3), Map.of()),
            "tts", new ProviderBlock("deepgram", Optional.empty(), Optional.empty(), Optional.of("aura-2-thalia-en"), Optional.empty(), Map.of()));

    private final YamlFields in;
    private final Map<String, Integer> numberLines = new LinkedHashMap<>();
    private final List<ParsedFlow.ToolRef> toolRefs = new ArrayList<>();
    private final Map<String, Integer> providerLines = new HashMap<>();
    private int llmModelLine; // 0 until the llm block names a model
    private final Map<String, Integer> nodeLines = new HashMap<>();
    private final Map<String, Map<String, Integer>> nextLines = new HashMap<>();

    private FlowParser(Path file, List<Problem> problems) {
        this.in = new YamlFields(file, problems);
    }

    /** Parses {@code text}; empty when the file is not a YAML mapping at all. */
    static Optional<ParsedFlow> parse(Path file, String text, List<Problem> problems) {
        return new FlowParser(file, problems).parse(text);
    }

    private Optional<ParsedFlow> parse(String text) {
        if (text.isBlank()) {
            in.error(1, "the file is empty (a flow needs at least a name)");
            return Optional.empty();
        }
        Node root;
        try {
            var options = new LoaderOptions();
            options.setMaxAliasesForCollections(20);
            options.setCodePointLimit(1 << 20);
            root = new Yaml(options).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            in.error(mark == null ? 1 : mark.getLine() + 1, "YAML syntax: " + (e.getProblem() != null ? e.getProblem() : e.getMessage())
                    + (e.getContext() != null ? " (" + e.getContext() + ")" : ""));
            return Optional.empty();
        } catch (YAMLException e) {
            in.error(1, "YAML syntax: " + e.getMessage());
            return Optional.empty();
        }
        if (root == null) {
            in.error(1, "the file is empty (a flow needs at least a name)");
            return Optional.empty();
        }
        var top = in.mapping(root, "the flow", TOP);
        if (top.isEmpty()) {
            return Optional.empty();
        }
        var m = top.get();
        var stem = in.file().getFileName().toString().replaceFirst("\\.ya?ml$", "");
        int nameLine = 1;
        String name = stem;
        if (m.containsKey("name")) {
            nameLine = m.get("name").line();
            name = in.text(m.get("name").value(), "name").orElse(stem);
            if (!FLOW_NAME.matcher(name).matches()) {
                in.error(m.get("name").value(), "name '" + name + "' must be lower case letters, digits, - or _ (it appears in URLs and metrics)");
            }
        } else {
            in.error(1, "name is missing (add e.g. name: " + stem + ")");
        }
        var numbers = numbers(m);
        boolean isDefault = opt(m, "default").flatMap(e -> in.bool(e.value(), "default")).orElse(false);
        int defaultLine = m.containsKey("default") ? m.get("default").line() : 0;
        var greeting = opt(m, "greeting").flatMap(e -> template(e.value(), "greeting"));
        var prompt = opt(m, "prompt").flatMap(e -> template(e.value(), "prompt")).orElse(Template.of(""));
        var stt = provider(m, "stt");
        var llm = provider(m, "llm");
        var tts = provider(m, "tts");
        var tools = tools(m.get("tools"), "tools");
        var turn = opt(m, "turn").map(e -> turn(e.value())).orElse(Turn.DEFAULTS);
        var transferTo = opt(m, "transfer_to").flatMap(e -> phone(e.value(), "transfer_to"));
        var timezone = opt(m, "timezone").flatMap(e -> zone(e.value())).orElse(ZoneOffset.UTC);
        var nodes = opt(m, "nodes").map(e -> nodes(e.value())).orElse(Map.of());
        var start = opt(m, "start").flatMap(e -> in.text(e.value(), "start"));
        var dtmf = opt(m, "dtmf").map(e -> dtmf(e.value(), nodes)).orElse(Map.of());
        int startLine = m.containsKey("start") ? YamlFields.line(m.get("start").value()) : 0;
        NodeGraph.check(in, nodes, nodeLines, nextLines, start, startLine, dtmf);
        if (start.isEmpty() && !nodes.isEmpty()) {
            start = Optional.of(nodes.keySet().iterator().next());
        }
        if (start.isPresent() && !nodes.containsKey(start.get())) {
            start = Optional.empty();
        }
        var flow = new Flow(name, in.file(), numbers, isDefault, greeting, prompt, stt, llm, tts, tools, turn, start,
                nodes, dtmf, transferTo, timezone);
        return Optional.of(new ParsedFlow(flow, nameLine, numberLines, defaultLine, toolRefs, providerLines, llmModelLine));
    }

    private static Optional<YamlFields.Entry> opt(Map<String, YamlFields.Entry> m, String key) {
        return Optional.ofNullable(m.get(key));
    }

    private List<String> numbers(Map<String, YamlFields.Entry> m) {
        var out = new ArrayList<String>();
        opt(m, "numbers").flatMap(e -> in.list(e.value(), "numbers")).ifPresent(items -> {
            for (var item : items) {
                phone(item, "a number").ifPresent(n -> {
                    if (numberLines.containsKey(n)) {
                        in.error(item, "number " + n + " is listed twice (first on line " + numberLines.get(n) + ")");
                    } else {
                        numberLines.put(n, YamlFields.line(item));
                        out.add(n);
                    }
                });
            }
        });
        return out;
    }

    private Optional<String> phone(Node node, String what) {
        if (node instanceof ScalarNode s && !s.getTag().equals(org.yaml.snakeyaml.nodes.Tag.STR)
                && s.getValue().startsWith("+")) {
            in.error(node, what + " must be quoted, or YAML reads it as a number: \"" + s.getValue() + "\"");
            return Optional.empty();
        }
        var text = in.text(node, what);
        if (text.isPresent() && !E164.matcher(text.get()).matches()) {
            in.error(node, what + " '" + text.get() + "' is not an E.164 number (a + then 7 to 15 digits, e.g. \"+15550001111\")");
            return Optional.empty();
        }
        return text;
    }

    private Optional<ZoneId> zone(Node node) {
        return in.text(node, "timezone").flatMap(z -> {
            try {
                return Optional.of(ZoneId.of(z));
            } catch (DateTimeException e) {
                in.error(node, "timezone '" + z + "' is not a time zone name such as Europe/London or America/New_York");
                return Optional.empty();
            }
        });
    }

    Optional<Template> template(Node node, String what) {
        return in.text(node, what).map(text -> {
            var unknown = new ArrayList<String>();
            var template = Template.parse(text, unknown);
            if (!unknown.isEmpty()) {
                boolean block = node instanceof ScalarNode s && (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                        || s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED);
                var matcher = Template.PLACEHOLDER.matcher(text);
                int seen = 0;
                while (matcher.find()) {
                    var name = matcher.group(1);
                    if (seen < unknown.size() && unknown.get(seen).equals(name)) {
                        seen++;
                        int line = YamlFields.line(node) + (block ? 1 + (int) text.substring(0, matcher.start()).chars().filter(c -> c == '\n').count() : 0);
                        in.error(line, "unknown placeholder {{" + name + "}} in " + what
                                + " (use {{call.from}}, {{call.to}}, {{state.NAME}} or {{now}})");
                    }
                }
            }
            return template;
        });
    }

    List<String> tools(YamlFields.Entry entry, String what) {
        if (entry == null) {
            return List.of();
        }
        var out = new ArrayList<String>();
        in.list(entry.value(), what).ifPresent(items -> {
            for (var item : items) {
                in.text(item, "a tool name").ifPresent(t -> {
                    if (out.contains(t)) {
                        in.error(item, "tool " + t + " is listed twice in " + what);
                    } else {
                        out.add(t);
                        toolRefs.add(new ParsedFlow.ToolRef(t, YamlFields.line(item)));
                    }
                });
            }
        });
        return out;
    }

    private ProviderBlock provider(Map<String, YamlFields.Entry> top, String block) {
        var entry = top.get(block);
        if (entry == null) {
            return DEFAULT_PROVIDERS.get(block);
        }
        var extras = ProviderCatalog.EXTRAS.get(block);
        var allowed = new java.util.TreeSet<>(extras.keySet());
        allowed.addAll(switch (block) {
            case "stt" -> List.of("provider", "model", "language");
            case "llm" -> List.of("provider", "model", "temperature");
            default -> List.of("provider", "model", "voice", "language");
        });
        var m = in.mapping(entry.value(), block, allowed).orElse(Map.of());
        var fallback = DEFAULT_PROVIDERS.get(block).provider();
        String provider = fallback;
        if (m.containsKey("provider")) {
            var p = m.get("provider");
            providerLines.put(block, YamlFields.line(p.value()));
            provider = in.text(p.value(), block + " provider").orElse(fallback);
            if (!ProviderCatalog.KNOWN.get(block).contains(provider)) {
                in.error(p.value(), "unknown " + block + " provider '" + provider + "' (known: "
                        + String.join(", ", ProviderCatalog.known(block)) + ")" + Names.didYouMean(provider, ProviderCatalog.KNOWN.get(block)));
                providerLines.put(block, ParsedFlow.INVALID);
                provider = fallback;
            }
        } else {
            in.error(entry.line(), block + " needs a provider (one of " + String.join(", ", ProviderCatalog.known(block)) + ")");
        }
        var model = opt(m, "model").flatMap(e -> in.text(e.value(), block + " model"));
        if (block.equals("llm") && model.isPresent()) {
            llmModelLine = YamlFields.line(m.get("model").value());
        }
        var language = opt(m, "language").flatMap(e -> in.text(e.value(), block + " language"));
        var voice = opt(m, "voice").flatMap(e -> in.text(e.value(), block + " voice"));
        var temperature = m.containsKey("temperature") ? temperature(m.get("temperature").value(), provider) : Optional.<Double>empty();
        if (temperature.isPresent() && temperature.get() != 1.0 && model.isPresent()
            && ProviderCatalog.isReasoningModel(provider, model.get())) {
            in.error(m.get("temperature").line(), provider + " model " + model.get() + " is a reasoning model: its API "
                     + "refuses any temperature but 1; leave temperature out");
        }
        var extraValues = new LinkedHashMap<String, Object>();
        for (var e : m.values()) {
            var users = extras.get(e.key());
            if (users == null) {
                continue;
            }
            if (!users.contains(provider)) {
                in.error(e.line(), e.key() + " is a setting of " + String.join("/", users) + ", not of " + block + " provider " + provider);
                continue;
            }
            extra(block, e).ifPresent(v -> extraValues.put(e.key(), v));
        }
        return new ProviderBlock(provider, model, language, voice, temperature, extraValues);
    }

    /** A temperature in the range {@code provider}'s API accepts (only llm blocks allow one, and every llm provider has a range). */
    private Optional<Double> temperature(Node node, String provider) {
        var range = ProviderCatalog.TEMPERATURE.get(provider);
        return in.number(node, provider + " temperature", range.min(), range.max());
    }

    private Optional<Object> extra(String block, YamlFields.Entry e) {
        var what = block + " " + e.key();
        return switch (e.key()) {
            case "endpointing" -> in.integer(e.value(), what, 10, 10_000).map(v -> (Object) v);
            case "utterance_end_ms" -> in.integer(e.value(), what, 1_000, 5_000).map(v -> (Object) v);
            case "max_tokens" -> in.integer(e.value(), what, 1, 32_000).map(v -> (Object) v);
            case "smart_format" -> in.bool(e.value(), what).map(v -> (Object) v);
            case "stability", "similarity_boost", "style" -> in.number(e.value(), what, 0, 1).map(v -> (Object) v);
            case "speed" -> in.number(e.value(), what, 0.7, 1.2).map(v -> (Object) v);
            case "keyterms" -> in.list(e.value(), what).map(items -> (Object) items.stream()
                    .map(i -> in.text(i, "a keyterm")).flatMap(Optional::stream).toList());
            default -> throw new IllegalStateException("no reader for extra " + e.key());
        };
    }

    private Turn turn(Node node) {
        var m = in.mapping(node, "turn", TURN).orElse(Map.of());
        var d = Turn.DEFAULTS;
        return new Turn(
                opt(m, "interruptions").flatMap(e -> in.bool(e.value(), "interruptions")).orElse(d.interruptions()),
                opt(m, "min_interrupt_words").flatMap(e -> in.integer(e.value(), "min_interrupt_words", 1, 20)).orElse(d.minInterruptWords()),
                opt(m, "silence_reprompt_s").flatMap(e -> in.number(e.value(), "silence_reprompt_s", 1, 120))
                        .map(s -> Duration.ofMillis(Math.round(s * 1000))).orElse(d.silenceReprompt()),
                opt(m, "max_call_s").flatMap(e -> in.integer(e.value(), "max_call_s", 30, 14_400))
                        .map(s -> Duration.ofSeconds(s)).orElse(d.maxCall()));
    }

    private Map<String, dev.dialtone.flow.Node> nodes(Node node) {
        var m = in.mapping(node, "nodes", null).orElse(Map.of());
        var out = new LinkedHashMap<String, dev.dialtone.flow.Node>();
        for (var e : m.values()) {
            if (!NODE_NAME.matcher(e.key()).matches()) {
                in.error(e.line(), "node name '" + e.key() + "' must be lower_snake_case, at most 41 characters (it becomes a tool name)");
            }
            var fields = in.mapping(e.value(), "node " + e.key(), NODE).orElse(Map.of());
            var what = "node " + e.key();
            var prompt = opt(fields, "prompt").flatMap(f -> template(f.value(), what + " prompt"));
            var tools = tools(fields.get("tools"), what + " tools");
            var say = opt(fields, "say").flatMap(f -> template(f.value(), what + " say"));
            var next = new LinkedHashMap<String, String>();
            opt(fields, "next").flatMap(f -> in.mapping(f.value(), what + " next", null)).ifPresent(n -> n.values().forEach(t ->
                    in.text(t.value(), "the condition of " + what + " -> " + t.key()).ifPresent(c -> next.put(t.key(), c))));
            boolean end = opt(fields, "end").flatMap(f -> in.bool(f.value(), what + " end")).orElse(false);
            out.put(e.key(), new dev.dialtone.flow.Node(e.key(), prompt, tools, say, next, end));
            nodeLines.put(e.key(), e.line());
            opt(fields, "next").filter(f -> f.value() instanceof org.yaml.snakeyaml.nodes.MappingNode mn)
                    .ifPresent(f -> ((org.yaml.snakeyaml.nodes.MappingNode) f.value()).getValue().forEach(t ->
                            nextLines.computeIfAbsent(e.key(), k -> new HashMap<>())
                                    .putIfAbsent(((ScalarNode) t.getKeyNode()).getValue(), YamlFields.line(t.getKeyNode()))));
        }
        return out;
    }

    private Map<String, DtmfRoute> dtmf(Node node, Map<String, dev.dialtone.flow.Node> nodes) {
        var m = in.mapping(node, "dtmf", null).orElse(Map.of());
        var out = new LinkedHashMap<String, DtmfRoute>();
        for (var e : m.values()) {
            if (!DTMF_KEYS.contains(e.key())) {
                in.error(e.line(), "dtmf key '" + e.key() + "' is not a phone key (0-9, * or #)");
                continue;
            }
            if (e.value() instanceof ScalarNode s && s.getValue().equals("hangup")) {
                out.put(e.key(), new DtmfRoute.Hangup());
                continue;
            }
            var route = in.mapping(e.value(), "dtmf " + e.key(), DTMF_ROUTE).orElse(Map.of());
            if (route.size() != 1) {
                if (!route.isEmpty() || e.value() instanceof org.yaml.snakeyaml.nodes.MappingNode) {
                    in.error(e.line(), "dtmf " + e.key() + " needs exactly one of node, transfer or hangup");
                }
                continue;
            }
            var r = route.values().iterator().next();
            switch (r.key()) {
                case "node" -> in.text(r.value(), "dtmf " + e.key() + " node").ifPresent(n -> {
                    if (!nodes.containsKey(n)) {
                        in.error(r.value(), "dtmf " + e.key() + " goes to node '" + n + "', which does not exist"
                                + Names.didYouMean(n, nodes.keySet()));
                    } else {
                        out.put(e.key(), new DtmfRoute.ToNode(n));
                    }
                });
                case "transfer" -> phone(r.value(), "dtmf " + e.key() + " transfer").ifPresent(n -> out.put(e.key(), new DtmfRoute.Transfer(n)));
                default -> in.bool(r.value(), "dtmf " + e.key() + " hangup").ifPresent(h -> {
                    if (h) {
                        out.put(e.key(), new DtmfRoute.Hangup());
                    } else {
                        in.error(r.value(), "dtmf " + e.key() + " hangup: false does nothing; remove the key");
                    }
                });
            }
        }
        return out;
    }
}
