package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dialtone.flow.FlowFileNames;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Problem;
import dev.dialtone.flow.YamlDocument;
import dev.dialtone.net.Json;

/**
 * Reads a flow test file into a {@link FlowTestFile}, adding every problem with its line. The
 * structure is flows/flow-test.schema.json's to check (the build copies it next to this class), with
 * the flows' own wording; this class checks what the schema cannot say: one action per turn, unique
 * case names, real dates, regular expressions that compile, and, given the flow, that the nodes and
 * tools named exist ({@link Expectations}). Reading goes on past a problem so one pass reports all.
 */
public final class TestFileParser {
    static final YamlDocument.Schema SCHEMA = YamlDocument.Schema.resource(TestFileParser.class, "flow-test.schema.json",
                                                                           TestFilePaths.NAMES);
    /** The caller of a case that names none. */
    public static final String DEFAULT_CALLER = "+15550100000";
    /** When a case's call happens unless the file says otherwise: fixed, so the prompts' {{now}} is the same every run. */
    public static final Instant DEFAULT_NOW = Instant.parse("2026-06-01T12:00:00Z");

    private final YamlDocument doc;
    private final Optional<FlowVersion> flow;
    private final List<Problem> problems;

    private TestFileParser(YamlDocument doc, Optional<FlowVersion> flow, List<Problem> problems) {
        this.doc = doc;
        this.flow = flow;
        this.problems = problems;
    }

    /**
     * Parses {@code text}; empty when it is not a YAML mapping at all.
     *
     * @param flow the flow the file tests, when it loaded: its nodes and tools are checked against it
     */
    public static Optional<FlowTestFile> parse(Path file, String text, Optional<FlowVersion> flow, List<Problem> problems) {
        var doc = YamlDocument.read(file, text, SCHEMA, problems);
        if (doc.isEmpty()) {
            return Optional.empty();
        }
        if (doc.get().root().isMissingNode()) {
            problems.add(Problem.error(file, 1, "the file is empty (a flow test file needs cases:, see flows/README.md)"));
            return Optional.empty();
        }
        if (!doc.get().root().isObject()) {
            return Optional.empty();
        }
        return Optional.of(new TestFileParser(doc.get(), flow, problems).read());
    }

    private FlowTestFile read() {
        var caller = doc.text(at("caller")).orElse(DEFAULT_CALLER);
        var now = instant(at("now")).orElse(DEFAULT_NOW);
        var config = configs(at("config"), Map.of());
        var http = http(at("http"), Map.of());
        var cases = new ArrayList<FlowTestFile.TestCase>();
        var names = new HashMap<String, Integer>();
        var items = doc.items(at("cases"));
        if (items.isEmpty() && doc.value(at("cases")).isPresent()) {
            error(doc.keyLine(at("cases")), "cases is empty: add at least one case");
        }
        for (var item : items) {
            var name = doc.text(item.appendProperty("name"));
            if (name.isEmpty()) {
                continue; // the schema said what is wrong
            }
            int line = doc.line(item.appendProperty("name"));
            var first = names.putIfAbsent(name.get(), line);
            if (first != null) {
                error(line, "case name '" + name.get() + "' is used twice (first on line " + first + "); each case needs its own");
            }
            testCase(item, name.get(), line, caller, now, config, http).ifPresent(cases::add);
        }
        return new FlowTestFile(doc.file(), FlowFileNames.stem(doc.file()), cases);
    }

    private Optional<FlowTestFile.TestCase> testCase(JsonPointer at, String name, int line, String caller, Instant now,
                                                     Map<String, Map<String, Object>> fileConfig,
                                                     Map<String, FlowTestFile.HttpAnswer> fileHttp) {
        var what = "case '" + name + "'";
        var expectations = new Expectations(doc, flow, problems);
        var start = doc.text(at.appendProperty("start"));
        start.ifPresent(node -> expectations.node(node, doc.line(at.appendProperty("start")), what + " starts in"));
        var state = new LinkedHashMap<String, String>();
        fields(at.appendProperty("state")).forEach((key, value) -> doc.text(value).ifPresent(v -> state.put(key, v)));
        var tools = new LinkedHashMap<String, FlowTestFile.ToolStandIn>();
        fields(at.appendProperty("tools")).forEach((tool, place) -> {
            expectations.tool(tool, doc.keyLine(place), what + " replaces");
            doc.value(place.appendProperty("result")).ifPresent(r -> tools.put(tool, new FlowTestFile.ToolStandIn.Result(Json.write(r))));
            doc.text(place.appendProperty("error")).ifPresent(e -> tools.put(tool, new FlowTestFile.ToolStandIn.Error(e)));
        });
        var turns = new ArrayList<FlowTestFile.CallerTurn>();
        var turnItems = doc.items(at.appendProperty("turns"));
        if (turnItems.isEmpty() && doc.value(at.appendProperty("turns")).isPresent()) {
            error(doc.keyLine(at.appendProperty("turns")), what + " has no turns: add at least one (caller, dtmf or wait)");
        }
        for (int i = 0; i < turnItems.size(); i++) {
            turn(turnItems.get(i), what + " turn " + (i + 1), expectations).ifPresent(turns::add);
        }
        var checks = expectations.read(at.appendProperty("expect"), true);
        if (turns.size() < turnItems.size()) {
            return Optional.empty();
        }
        return Optional.of(new FlowTestFile.TestCase(name, line, doc.text(at.appendProperty("caller")).orElse(caller),
                instant(at.appendProperty("now")).orElse(now), start, state, configs(at.appendProperty("config"), fileConfig),
                http(at.appendProperty("http"), fileHttp), tools, turns, checks));
    }

    /** One turn: exactly one of caller, dtmf and wait, with its own expect. */
    private Optional<FlowTestFile.CallerTurn> turn(JsonPointer at, String what, Expectations expectations) {
        var given = new ArrayList<String>();
        for (var key : List.of("caller", "dtmf", "wait")) {
            if (!doc.root().at(at.appendProperty(key)).isMissingNode()) {
                given.add(key);
            }
        }
        int line = doc.line(at);
        if (given.size() != 1) {
            error(line, what + (given.isEmpty() ? " needs one of caller, dtmf or wait"
                    : " has " + String.join(" and ", given) + ": give one per turn (a turn is one thing the caller does)"));
            return Optional.empty();
        }
        var checks = expectations.read(at.appendProperty("expect"), false);
        var said = doc.text(at.appendProperty("caller"));
        if (said.isPresent()) {
            return Optional.of(new FlowTestFile.CallerTurn.Says(said.get(), line, checks));
        }
        var keys = doc.text(at.appendProperty("dtmf"));
        if (keys.isPresent()) {
            return Optional.of(new FlowTestFile.CallerTurn.Keys(keys.get(), line, checks));
        }
        return doc.value(at.appendProperty("wait")).filter(JsonNode::isNumber)
                .map(s -> new FlowTestFile.CallerTurn.Waits(Duration.ofMillis(Math.round(s.doubleValue() * 1000)), line, checks));
    }

    /** Plugin settings per plugin, laid over {@code base} key by key. */
    private Map<String, Map<String, Object>> configs(JsonPointer at, Map<String, Map<String, Object>> base) {
        var out = new LinkedHashMap<String, Map<String, Object>>(base);
        fields(at).forEach((plugin, place) -> doc.value(place).filter(JsonNode::isObject).ifPresent(settings -> {
            var merged = new LinkedHashMap<String, Object>(out.getOrDefault(plugin, Map.of()));
            settings.fields().forEachRemaining(e -> merged.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class)));
            out.put(plugin, merged);
        }));
        return out;
    }

    /** Answers to plugins' requests, laid over {@code base}. */
    private Map<String, FlowTestFile.HttpAnswer> http(JsonPointer at, Map<String, FlowTestFile.HttpAnswer> base) {
        var out = new LinkedHashMap<>(base);
        fields(at).forEach((request, place) -> {
            if (doc.value(place).isEmpty()) {
                return;
            }
            var headers = new LinkedHashMap<String, String>();
            fields(place.appendProperty("headers")).forEach((k, v) -> doc.text(v).ifPresent(t -> headers.put(k, t)));
            var json = doc.value(place.appendProperty("json"));
            var body = doc.text(place.appendProperty("body"));
            if (json.isPresent() && body.isPresent()) {
                error(doc.keyLine(place), "the answer to " + request + " has both json and body: give one");
            }
            if (json.isPresent()) {
                headers.putIfAbsent("Content-Type", "application/json");
            }
            int status = doc.value(place.appendProperty("status")).filter(JsonNode::canConvertToInt).map(JsonNode::intValue).orElse(200);
            out.put(request, new FlowTestFile.HttpAnswer(status, headers, json.map(Json::write).orElse(body.orElse(""))));
        });
        return out;
    }

    private Optional<Instant> instant(JsonPointer at) {
        return doc.text(at).flatMap(t -> {
            try {
                return Optional.of(OffsetDateTime.parse(t).toInstant());
            } catch (DateTimeException e) {
                error(doc.line(at), "'" + t + "' is not a real date and time");
                return Optional.empty();
            }
        });
    }



    /** The keys of a mapping with their places, in file order; none when it is not a usable mapping. */
    private Map<String, JsonPointer> fields(JsonPointer at) {
        var out = new LinkedHashMap<String, JsonPointer>();
        doc.value(at).filter(JsonNode::isObject).ifPresent(v -> v.fieldNames().forEachRemaining(k -> out.put(k, at.appendProperty(k))));
        return out;
    }

    private void error(int line, String message) {
        problems.add(Problem.error(doc.file(), line, message));
    }

    private static JsonPointer at(String key) {
        return JsonPointer.empty().appendProperty(key);
    }
}
