package dev.dialtone.flow;

import static dev.dialtone.flow.YamlFields.at;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.ScalarNode;

import dev.dialtone.plugin.ArgumentCheck;

/**
 * Reads one flow file into a {@link ParsedFlow}, adding every problem found in the file itself to a
 * list, each with its line. The structure (keys, types, allowed values, ranges) is
 * {@link FlowSchema}'s to check; this class reads the checked tree and checks what a schema cannot
 * say: template placeholders, time zones, a temperature for a reasoning model, node references and
 * reachability. Checks across files are {@link FlowSetCheck}'s. Reading goes on past a problem so
 * one pass reports them all.
 */
final class FlowParser {
    static final Map<String, ProviderBlock> DEFAULT_PROVIDERS = Map.of(
            "stt", new ProviderBlock("deepgram", Optional.of("nova-3"), Optional.of("en-US"), Optional.empty(), Optional.empty(), Map.of()),
            "llm", new ProviderBlock("openai", Optional.of(ProviderCatalog.DEFAULT_MODELS.get("openai")), Optional.empty(), Optional.empty(),
                    Optional.of(0.3), Map.of()),
            "tts", new ProviderBlock("deepgram", Optional.empty(), Optional.empty(), Optional.of(ProviderCatalog.defaultVoice("deepgram").voice()), Optional.empty(), Map.of()));
    /** The settings of each block that {@link ProviderBlock} holds in fields; the block's other keys are its extras. */
    private static final Map<String, List<String>> COMMON = Map.of(
            "stt", List.of("provider", "model", "language"),
            "llm", List.of("provider", "model", "temperature"),
            "tts", List.of("provider", "model", "voice", "language"));

    private final YamlFields in;
    private final Map<String, Integer> numberLines = new LinkedHashMap<>();
    private final List<ParsedFlow.ToolRef> toolRefs = new ArrayList<>();
    private final Map<String, Integer> providerLines = new HashMap<>();
    private int llmModelLine; // 0 until the llm block names a model
    private final Map<String, Integer> nodeLines = new HashMap<>();
    private final Map<String, Map<String, Integer>> nextLines = new HashMap<>();

    private FlowParser(YamlFields in) {
        this.in = in;
    }

    /** Parses {@code text}; empty when the file is not a YAML mapping at all. */
    static Optional<ParsedFlow> parse(Path file, String text, List<Problem> problems) {
        return parse(file, text, problems, new HashSet<>());
    }

    /** As {@link #parse(Path, String, List)}; {@code asked} receives every place the parser looked for a value. */
    static Optional<ParsedFlow> parse(Path file, String text, List<Problem> problems, Set<JsonPointer> asked) {
        var tree = YamlTree.read(file, text, at -> FlowPaths.what(at, MissingNode.getInstance()), problems);
        if (tree.isEmpty()) {
            return Optional.empty();
        }
        if (tree.get().root().isMissingNode()) {
            problems.add(Problem.error(file, 1, "the file is empty (a flow needs at least a name)"));
            return Optional.empty();
        }
        var refused = FlowSchema.check(file, tree.get(), problems);
        if (!tree.get().root().isObject()) {
            return Optional.empty();
        }
        return Optional.of(new FlowParser(new YamlFields(file, tree.get(), refused, problems, asked)).read());
    }

    private ParsedFlow read() {
        var stem = in.file().getFileName().toString().replaceFirst("\\.ya?ml$", "");
        var name = in.text(at("name")).orElse(stem);
        int nameLine = in.has(at("name")) ? in.keyLine(at("name")) : 1;
        var numbers = new ArrayList<String>();
        for (var item : in.items(at("numbers"))) {
            // A number listed twice is the schema's to report; the flow claims it once.
            in.text(item).filter(n -> !numberLines.containsKey(n)).ifPresent(n -> {
                numberLines.put(n, in.line(item));
                numbers.add(n);
            });
        }
        boolean isDefault = in.bool(at("default")).orElse(false);
        boolean debug = in.bool(at("debug")).orElse(false);
        boolean testsGate = in.text(at("tests")).filter("gate"::equals).isPresent();
        int testsLine = testsGate ? in.keyLine(at("tests")) : 0;
        var stagingCallers = new ArrayList<String>();
        in.items(at("staging_callers")).forEach(item -> in.text(item).ifPresent(stagingCallers::add));
        int defaultLine = in.has(at("default")) ? in.keyLine(at("default")) : 0;
        var greeting = template(at("greeting"), "greeting");
        var prompt = template(at("prompt"), "prompt").orElse(Template.of(""));
        var stt = provider("stt");
        var llm = provider("llm");
        var tts = provider("tts");
        var tools = tools(at("tools"));
        var timezone = in.text(at("timezone")).flatMap(this::zone).orElse(ZoneOffset.UTC);
        var nodes = nodes();
        // a node's transfer may name the node a caller comes back to: read once every node is known
        nodes.replaceAll((node, step) -> step.withTransfer(
                TransferSpec.read(in, at("nodes", node).appendProperty("transfer"), nodes.keySet(), "node " + node + " transfer")));
        var start = in.text(at("start"));
        var dtmf = dtmf(nodes);
        var transfer = TransferSpec.read(in, at("transfer_to"), nodes.keySet(), "transfer_to");
        var transferTo = transfer.map(TransferSpec::to);
        NodeGraph.check(in, nodes, nodeLines, nextLines, start, in.line(at("start")), dtmf);
        if (start.isEmpty() && !nodes.isEmpty()) {
            start = Optional.of(nodes.keySet().iterator().next());
        }
        if (start.isPresent() && !nodes.containsKey(start.get())) {
            start = Optional.empty();
        }
        var flow = new Flow(name, in.file(), numbers, isDefault, greeting, prompt, stt, llm, tts, tools, turn(), start,
                nodes, dtmf, transferTo, timezone, debug, testsGate, stagingCallers, redaction(), analysis(),
                PhoneFeatures.read(in), FlowWebhook.read(in, System.getenv()), transfer);
        return new ParsedFlow(flow, nameLine, numberLines, defaultLine, toolRefs, providerLines, llmModelLine, testsLine);
    }

    private Optional<ZoneId> zone(String name) {
        try {
            return Optional.of(ZoneId.of(name));
        } catch (DateTimeException e) {
            in.error(in.line(at("timezone")), "timezone '" + name + "' is not a time zone name such as Europe/London or America/New_York");
            return Optional.empty();
        }
    }

    /** A text with placeholders; each unknown placeholder is an error at its own line (inside a | or > block too). */
    private Optional<Template> template(JsonPointer at, String what) {
        return in.text(at).map(text -> {
            var unknown = new ArrayList<String>();
            var template = Template.parse(text, unknown);
            boolean block = in.yaml(at).orElseThrow() instanceof ScalarNode s && (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                    || s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED);
            var matcher = Template.PLACEHOLDER.matcher(text);
            int seen = 0;
            while (seen < unknown.size() && matcher.find()) {
                var name = matcher.group(1);
                if (unknown.get(seen).equals(name)) {
                    seen++;
                    int line = in.line(at) + (block ? 1 + (int) text.substring(0, matcher.start()).chars().filter(c -> c == '\n').count() : 0);
                    in.error(line, "unknown placeholder {{" + name + "}} in " + what + " (use {{call.from}}, {{call.to}}, {{state.NAME}} or {{now}})");
                }
            }
            return template;
        });
    }

    private List<String> tools(JsonPointer at) {
        var out = new ArrayList<String>();
        for (var item : in.items(at)) {
            in.text(item).filter(t -> !out.contains(t)).ifPresent(t -> {
                out.add(t);
                toolRefs.add(new ParsedFlow.ToolRef(t, in.line(item)));
            });
        }
        return out;
    }

    private ProviderBlock provider(String block) {
        var at = at(block);
        if (!in.has(at)) {
            return DEFAULT_PROVIDERS.get(block);
        }
        return providerAt(at, block);
    }

    /** A provider block at {@code at} of kind {@code block} (the analysis has an llm block of its own). */
    private ProviderBlock providerAt(JsonPointer at, String block) {
        boolean main = at.equals(at(block));
        var named = in.text(at.appendProperty("provider"));
        if (main && in.has(at.appendProperty("provider"))) {
            // A provider the schema refused is already an error: no key warning or model check for it.
            providerLines.put(block, named.isPresent() ? in.line(at.appendProperty("provider")) : ParsedFlow.INVALID);
        }
        var provider = named.orElse(DEFAULT_PROVIDERS.get(block).provider());
        var common = COMMON.get(block);
        var model = in.text(at.appendProperty("model"));
        if (main && block.equals("llm") && model.isPresent()) {
            llmModelLine = in.line(at.appendProperty("model"));
        }
        var language = common.contains("language") ? in.text(at.appendProperty("language")) : Optional.<String>empty();
        var voice = common.contains("voice") ? in.text(at.appendProperty("voice")) : Optional.<String>empty();
        var temperature = common.contains("temperature") ? in.number(at.appendProperty("temperature")) : Optional.<Double>empty();
        if (temperature.isPresent() && temperature.get() != 1.0 && model.isPresent() && ProviderCatalog.isReasoningModel(provider, model.get())) {
            in.error(in.keyLine(at.appendProperty("temperature")), provider + " model " + model.get() + " is a reasoning model: its API "
                    + "refuses any temperature but 1; leave temperature out");
        }
        var extras = new LinkedHashMap<String, Object>();
        for (var key : in.keys(at)) {
            if (!common.contains(key)) {
                in.plain(at.appendProperty(key)).ifPresent(v -> extras.put(key, v));
            }
        }
        if (block.equals("stt")) {
            sttSettingsFit(at, model.orElse(DEFAULT_PROVIDERS.get("stt").model().orElseThrow()));
        }
        return new ProviderBlock(provider, model, language, voice, temperature, extras);
    }

    /** Flux ({@code flux-*}) decides turns itself and has no endpointing; Nova has no Flux thresholds. */
    private void sttSettingsFit(JsonPointer at, String model) {
        boolean flux = model.startsWith("flux-");
        var foreign = flux ? List.of("endpointing", "utterance_end_ms", "smart_format")
                           : List.of("eot_threshold", "eager_eot_threshold", "eot_timeout_ms");
        for (var key : foreign) {
            if (in.has(at.appendProperty(key))) {
                in.error(in.keyLine(at.appendProperty(key)), "stt " + key + (flux ? " is not a Flux setting (model " + model
                        + " ends turns by eot_threshold and eot_timeout_ms)" : " is a Deepgram Flux setting: it needs model: flux-general-en"));
            }
        }
        var eager = in.number(at.appendProperty("eager_eot_threshold"));
        var eot = in.number(at.appendProperty("eot_threshold")).orElse(0.7);
        if (flux && eager.isPresent() && eager.get() > eot) {
            in.error(in.keyLine(at.appendProperty("eager_eot_threshold")), "stt eager_eot_threshold " + eager.get()
                    + " is above eot_threshold " + eot + ": the early end of turn must come before the real one");
        }
    }

    private TurnTaking turn() {
        var d = TurnTaking.DEFAULTS;
        return new TurnTaking(
                in.bool(at("turn", "interruptions")).orElse(d.interruptions()),
                in.integer(at("turn", "min_interrupt_words")).orElse(d.minInterruptWords()),
                in.number(at("turn", "silence_reprompt_s")).map(s -> Duration.ofMillis(Math.round(s * 1000))).orElse(d.silenceReprompt()),
                in.integer(at("turn", "max_call_s")).map(s -> Duration.ofSeconds(s)).orElse(d.maxCall()),
                in.bool(at("turn", "speculate")).orElse(d.speculate()));
    }

    private Map<String, FlowNode> nodes() {
        var out = new LinkedHashMap<String, FlowNode>();
        for (var name : in.keys(at("nodes"))) {
            var at = at("nodes", name);
            var what = "node " + name;
            var next = new LinkedHashMap<String, String>();
            for (var target : in.keys(at.appendProperty("next"))) {
                var condition = at.appendProperty("next").appendProperty(target);
                in.text(condition).ifPresent(c -> next.put(target, c));
                nextLines.computeIfAbsent(name, k -> new HashMap<>()).put(target, in.keyLine(condition));
            }
            out.put(name, new FlowNode(name, template(at.appendProperty("prompt"), what + " prompt"), tools(at.appendProperty("tools")),
                    template(at.appendProperty("say"), what + " say"), next, in.bool(at.appendProperty("end")).orElse(false),
                    collect(at.appendProperty("collect"), what), patience(at.appendProperty("patience")), Optional.empty()));
            nodeLines.put(name, in.keyLine(at));
        }
        return out;
    }

    /** A node's patience: {@code long}, or the thresholds written out (the schema has checked their ranges). */
    private Optional<Patience> patience(JsonPointer at) {
        if (!in.has(at)) {
            return Optional.empty();
        }
        if (in.text(at).isPresent()) {
            return Optional.of(Patience.LONG); // the schema allows no other word
        }
        return Optional.of(new Patience(optionalInt(at.appendProperty("endpointing_ms")), optionalInt(at.appendProperty("utterance_end_ms")),
                in.number(at.appendProperty("eot_threshold")).map(OptionalDouble::of).orElse(OptionalDouble.empty()),
                optionalInt(at.appendProperty("eot_timeout_ms"))));
    }

    private OptionalInt optionalInt(JsonPointer at) {
        return in.integer(at).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** The post-call analysis; its schema must compile as a JSON Schema of an object (the plugins' checker). */
    private Optional<AnalysisSpec> analysis() {
        var at = at("analysis");
        var schema = in.value(at.appendProperty("schema")).filter(v -> v.isObject());
        if (schema.isEmpty()) {
            return Optional.empty(); // absent, or the schema has said why
        }
        var json = schema.get().toString();
        try {
            ArgumentCheck.of(json);
        } catch (IllegalArgumentException e) {
            in.error(in.line(at.appendProperty("schema")), "analysis " + e.getMessage().replace("parameters", "schema"));
            return Optional.empty();
        }
        var prompt = in.text(at.appendProperty("prompt")).orElse(AnalysisSpec.DEFAULT_PROMPT);
        var llm = in.has(at.appendProperty("llm")) ? Optional.of(providerAt(at.appendProperty("llm"), "llm")) : Optional.<ProviderBlock>empty();
        return Optional.of(new AnalysisSpec(json, prompt, llm));
    }

    /** {@code redact: true} or which parts; off when absent or refused by the schema. */
    private Redaction redaction() {
        var at = at("redact");
        if (in.bool(at).isPresent()) {
            return in.bool(at).get() ? Redaction.STANDARD : Redaction.NONE;
        }
        if (!in.has(at) || in.value(at).filter(v -> v.isObject()).isEmpty()) {
            return Redaction.NONE;
        }
        var d = Redaction.STANDARD;
        return new Redaction(true, in.bool(at.appendProperty("cards")).orElse(d.cards()),
                in.bool(at.appendProperty("national_ids")).orElse(d.nationalIds()),
                in.integer(at.appendProperty("min_digit_run")).filter(n -> n >= 0 && n <= 40).orElse(d.minDigitRun()));
    }

    /** A node's digit collection; empty when absent or when the schema refused a part of it. */
    private Optional<Collect> collect(JsonPointer at, String what) {
        if (!in.has(at)) {
            return Optional.empty();
        }
        var into = in.text(at.appendProperty("into"));
        int min = 1;
        int max = Collect.MAX_DIGITS;
        var digits = at.appendProperty("digits");
        var range = in.integer(digits).map(n -> new int[] {n, n})
                .or(() -> in.text(digits).filter(t -> t.matches("\\d{1,2}-\\d{1,2}"))
                        .map(t -> new int[] {Integer.parseInt(t.split("-")[0]), Integer.parseInt(t.split("-")[1])}));
        if (range.isPresent()) {
            min = range.get()[0];
            max = range.get()[1];
            if (min > max) {
                in.error(in.line(digits), what + " collect digits " + min + "-" + max + " has the larger number first; write "
                        + max + "-" + min);
                return Optional.empty();
            }
        }
        var prompt = template(at.appendProperty("prompt"), what + " collect prompt");
        var reprompt = template(at.appendProperty("reprompt"), what + " collect reprompt");
        var finishOn = in.text(at.appendProperty("finish_on"));
        var timeout = in.number(at.appendProperty("timeout_s")).map(s -> Duration.ofMillis(Math.round(s * 1000)))
                .orElse(Collect.DEFAULT_TIMEOUT);
        boolean mask = in.bool(at.appendProperty("mask")).orElse(false);
        int attempts = in.integer(at.appendProperty("attempts")).orElse(Collect.DEFAULT_ATTEMPTS);
        if (into.isEmpty() || min < 1 || max > Collect.MAX_DIGITS || attempts < 1 || attempts > 5
                || timeout.isNegative() || timeout.isZero()) {
            return Optional.empty(); // the schema has said why
        }
        return Optional.of(new Collect(min, max, finishOn, timeout, into.get(), mask, prompt, reprompt, attempts));
    }

    /** The phone keys' routes; a route the schema refused (not one target, a bad number) is left out. */
    private Map<String, DtmfRoute> dtmf(Map<String, FlowNode> nodes) {
        var out = new LinkedHashMap<String, DtmfRoute>();
        for (var key : in.keys(at("dtmf"))) {
            var at = at("dtmf", key);
            if (in.value(at).isEmpty()) {
                continue;
            }
            var node = at.appendProperty("node");
            in.text(node).ifPresent(n -> {
                if (nodes.containsKey(n)) {
                    out.put(key, new DtmfRoute.ToNode(n));
                } else {
                    in.error(in.line(node), "dtmf " + key + " goes to node '" + n + "', which does not exist" + Names.didYouMean(n, nodes.keySet()));
                }
            });
            if (in.has(at.appendProperty("transfer"))) {
                TransferSpec.read(in, at.appendProperty("transfer"), nodes.keySet(), "dtmf " + key + " transfer")
                            .ifPresent(spec -> out.put(key, new DtmfRoute.Transfer(spec)));
            }
            if (in.text(at).isPresent() || in.bool(at.appendProperty("hangup")).orElse(false)) {
                out.put(key, new DtmfRoute.Hangup());
            }
        }
        return out;
    }
}
