package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Typed reads of a flow's tree after {@link FlowSchema} has checked it. A read gives a value only
 * when it is there, has the type the read asks for and the schema did not refuse it; otherwise it is
 * empty and says nothing, since the schema has already reported the value with its line. So the
 * parser's semantic checks still run over the rest of the file. Every place asked for is recorded
 * ({@code asked}), so a test can hold the keys the parser reads to the schema's. Used by one loading
 * thread.
 */
final class YamlFields {
    private final Path file;
    private final YamlTree tree;
    private final Set<JsonPointer> refused;
    private final List<Problem> problems;
    private final Set<JsonPointer> asked;

    YamlFields(Path file, YamlTree tree, Set<JsonPointer> refused, List<Problem> problems, Set<JsonPointer> asked) {
        this.file = file;
        this.tree = tree;
        this.refused = refused;
        this.problems = problems;
        this.asked = asked;
    }

    /** The place of a key path from the root, e.g. {@code at("turn", "max_call_s")}. */
    static JsonPointer at(String... keys) {
        var out = JsonPointer.empty();
        for (var key : keys) {
            out = out.appendProperty(key);
        }
        return out;
    }

    Path file() {
        return file;
    }

    void error(int line, String message) {
        problems.add(Problem.error(file, line, message));
    }

    void warning(int line, String message) {
        problems.add(Problem.warning(file, line, message));
    }

    /** Whether the file has a value at {@code at}, usable or not. */
    boolean has(JsonPointer at) {
        asked.add(at);
        return !tree.root().at(at).isMissingNode();
    }

    /** The line of the value at {@code at}. */
    int line(JsonPointer at) {
        return tree.line(at);
    }

    /** The line of the key of the value at {@code at}. */
    int keyLine(JsonPointer at) {
        return tree.keyLine(at);
    }

    /** The YAML node of the value at {@code at} (for a text's style). */
    Optional<Node> yaml(JsonPointer at) {
        return tree.place(at).map(YamlTree.Place::node);
    }

    Optional<JsonNode> value(JsonPointer at) {
        asked.add(at);
        var node = tree.root().at(at);
        return node.isMissingNode() || node.isNull() || refused.contains(at) ? Optional.empty() : Optional.of(node);
    }

    Optional<String> text(JsonPointer at) {
        return value(at).filter(JsonNode::isTextual).map(JsonNode::textValue);
    }

    Optional<Boolean> bool(JsonPointer at) {
        return value(at).filter(JsonNode::isBoolean).map(JsonNode::booleanValue);
    }

    /** A whole number: 300 or 300.0 (JSON Schema's integer is a value, not a spelling). */
    Optional<Integer> integer(JsonPointer at) {
        return value(at).filter(v -> v.isNumber() && v.canConvertToInt() && v.doubleValue() == Math.rint(v.doubleValue()))
                .map(JsonNode::intValue);
    }

    Optional<Double> number(JsonPointer at) {
        return value(at).filter(JsonNode::isNumber).map(JsonNode::doubleValue);
    }

    /** The keys of the mapping at {@code at}, in file order; none when it is not a usable mapping. */
    List<String> keys(JsonPointer at) {
        var out = new ArrayList<String>();
        value(at).filter(JsonNode::isObject).ifPresent(v -> v.fieldNames().forEachRemaining(out::add));
        return out;
    }

    /** The places of the items of the list at {@code at}; none when it is not a usable list. */
    List<JsonPointer> items(JsonPointer at) {
        var out = new ArrayList<JsonPointer>();
        value(at).filter(JsonNode::isArray).ifPresent(v -> {
            for (int i = 0; i < v.size(); i++) {
                out.add(at.appendIndex(i));
            }
        });
        return out;
    }

    /** A setting as the model keeps it: Integer, Double, Boolean, String or a List of those; empty for a mapping. */
    Optional<Object> plain(JsonPointer at) {
        return value(at).map(v -> {
            if (v.isArray()) {
                return items(at).stream().map(this::plain).flatMap(Optional::stream).toList();
            }
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                return v.intValue();
            }
            return v.isNumber() ? v.doubleValue() : v.isBoolean() ? v.booleanValue() : v.isTextual() ? v.textValue() : null;
        });
    }
}
