package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Names;
import dev.dialtone.flow.Problem;
import dev.dialtone.flow.YamlDocument;

/**
 * Reads the {@code expect} blocks of a test file into {@link Check}s, and checks every node and
 * tool a case names against the flow (when it loaded), with a "did you mean" for a typo: a test that
 * names a tool the flow does not have could never pass, and would only say so when it ran.
 */
final class Expectations {
    private final YamlDocument doc;
    private final Optional<FlowVersion> flow;
    private final List<Problem> problems;

    Expectations(YamlDocument doc, Optional<FlowVersion> flow, List<Problem> problems) {
        this.doc = doc;
        this.flow = flow;
        this.problems = problems;
    }

    /** The checks of the expect block at {@code at} (none when there is none); rubrics only where {@code rubrics}. */
    List<Check> read(JsonPointer at, boolean rubrics) {
        var out = new ArrayList<Check>();
        for (var item : doc.items(at.appendProperty("called"))) {
            var tool = doc.text(item.appendProperty("tool"));
            if (tool.isEmpty()) {
                continue;
            }
            tool(tool.get(), doc.line(item.appendProperty("tool")), "expects a call of");
            var args = doc.value(item.appendProperty("args")).filter(JsonNode::isObject);
            var patterns = new LinkedHashMap<String, Pattern>();
            var match = item.appendProperty("args_match");
            doc.value(match).filter(JsonNode::isObject).ifPresent(v -> v.fieldNames().forEachRemaining(arg ->
                    pattern(match.appendProperty(arg)).ifPresent(p -> patterns.put(arg, p))));
            out.add(new Check.Called(tool.get(), args, patterns, doc.line(item)));
        }
        for (var item : doc.items(at.appendProperty("not_called"))) {
            doc.text(item).ifPresent(tool -> {
                tool(tool, doc.line(item), "expects no call of");
                out.add(new Check.NotCalled(tool, doc.line(item)));
            });
        }
        doc.text(at.appendProperty("node")).ifPresent(node -> {
            int line = doc.line(at.appendProperty("node"));
            node(node, line, "expects the call in");
            out.add(new Check.InNode(node, line));
        });
        var state = at.appendProperty("state");
        doc.value(state).filter(JsonNode::isObject).ifPresent(v -> v.fieldNames().forEachRemaining(key ->
                doc.text(state.appendProperty(key)).ifPresent(value ->
                        out.add(new Check.StateIs(key, value, doc.line(state.appendProperty(key)))))));
        doc.value(at.appendProperty("ended")).filter(JsonNode::isBoolean)
           .ifPresent(v -> out.add(new Check.Ended(v.booleanValue(), doc.line(at.appendProperty("ended")))));
        doc.text(at.appendProperty("transferred"))
                .ifPresent(n -> out.add(new Check.Transferred(n, doc.line(at.appendProperty("transferred")))));
        var said = at.appendProperty("said");
        texts(said.appendProperty("contains"), (text, line) -> out.add(new Check.SaidContains(text, line)));
        texts(said.appendProperty("not_contains"), (text, line) -> out.add(new Check.SaidNot(text, line)));
        pattern(said.appendProperty("pattern")).ifPresent(p -> out.add(new Check.SaidMatches(p, doc.line(said.appendProperty("pattern")))));
        if (rubrics) {
            for (var item : doc.items(at.appendProperty("rubric"))) {
                doc.text(item).filter(t -> !t.isBlank()).ifPresent(t -> out.add(new Check.Rubric(t, doc.line(item))));
            }
        }
        return out;
    }

    /** Reports a node the flow does not have. */
    void node(String node, int line, String what) {
        flow.ifPresent(f -> {
            if (f.flow().node(node).isEmpty()) {
                var nodes = f.flow().nodes().keySet();
                error(line, what + " node '" + node + "', which flow " + f.name() + " does not have"
                        + (nodes.isEmpty() ? " (it has no nodes)" : Names.didYouMean(node, nodes)));
            }
        });
    }

    /** Reports a tool the flow cannot call: not among its tools or its nodes' transitions. */
    void tool(String tool, int line, String what) {
        flow.ifPresent(f -> {
            var known = tools(f);
            if (!known.contains(tool)) {
                error(line, what + " tool '" + tool + "', which flow " + f.name() + " does not use" + Names.didYouMean(tool, known));
            }
        });
    }

    private static Set<String> tools(FlowVersion flow) {
        var out = new LinkedHashSet<>(flow.tools().keySet());
        flow.transitions().values().forEach(list -> list.forEach(t -> out.add(t.name())));
        return out;
    }

    /** One text or a list of texts, each with its line. */
    private void texts(JsonPointer at, TextSink sink) {
        var value = doc.value(at);
        if (value.isPresent() && value.get().isTextual()) {
            sink.accept(value.get().textValue(), doc.line(at));
        }
        for (var item : doc.items(at)) {
            doc.text(item).ifPresent(t -> sink.accept(t, doc.line(item)));
        }
    }

    private interface TextSink {
        void accept(String text, int line);
    }

    private Optional<Pattern> pattern(JsonPointer at) {
        return doc.text(at).flatMap(p -> {
            try {
                return Optional.of(Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                error(doc.line(at), "'" + p + "' is not a regular expression: " + e.getDescription());
                return Optional.empty();
            }
        });
    }



    private void error(int line, String message) {
        problems.add(Problem.error(doc.file(), line, message));
    }
}
