package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Turns a message of the JSON Schema validator into findings in the project's words, at the line of
 * what it is about: the value's line for a wrong type, value or range; the key's line for an unknown
 * key, a badly named key, a missing or surplus setting. Bounds, allowed values and the custom texts
 * ({@code patternErrorMessage}, {@code errorMessage}) are read from the schema itself, so a message
 * never states a rule other than the schema's.
 */
final class SchemaMessages {
    /**
     * What a finding says and where. {@code refuses}: the value at {@code at} is unusable, and the
     * parser treats it as absent. {@code wrongType}: the value has the wrong type, which makes any
     * other finding about it redundant.
     */
    record Finding(JsonPointer at, int line, String text, boolean refuses, boolean wrongType) {
    }

    /** The validation keywords worded here; a test holds the schema to these (any other would get the validator's English). */
    static final Set<String> WORDED = Set.of("type", "required", "additionalProperties", "propertyNames", "enum", "const",
            "pattern", "minimum", "maximum", "uniqueItems", "minProperties", "maxProperties");

    private final Path file;
    private final YamlTree tree;
    private final JsonNode schema;
    private final YamlDocument.Names names;

    /** @param names how messages name the places of this kind of file */
    SchemaMessages(Path file, YamlTree tree, JsonNode schema, YamlDocument.Names names) {
        this.file = file;
        this.tree = tree;
        this.schema = schema;
        this.names = names;
    }

    List<Finding> findings(ValidationMessage m) {
        var at = pointer(m.getInstanceLocation());
        // The subschema that holds the failing keyword: its siblings give the bounds, names and custom texts.
        var rule = schema.at(pointer(m.getSchemaLocation().getFragment()).head());
        var what = what(at);
        var value = tree.root().at(at);
        return switch (m.getType()) {
            case "type" -> List.of(new Finding(at, tree.line(at), wrongType(at, m.getSchemaNode().asText()), true, true));
            case "required" -> List.of(required(at, m.getProperty(), rule));
            case "additionalProperties" -> {
                var key = at.appendProperty(m.getProperty());
                yield List.of(new Finding(key, tree.keyLine(key), "unknown key '" + m.getProperty() + "' in " + what
                        + Names.didYouMean(m.getProperty(), names(rule.path("properties"))), true, false));
            }
            case "propertyNames" -> List.of(propertyName(at, m.getProperty(), m.getSchemaNode()));
            case "enum" -> List.of(refused(at, "unknown " + what + " '" + value.asText() + "' (known: "
                    + String.join(", ", sorted(m.getSchemaNode())) + ")" + Names.didYouMean(value.asText(), sorted(m.getSchemaNode()))));
            case "const" -> List.of(refused(at, what + " " + rule.path("errorMessage").asText("must be " + m.getSchemaNode())));
            case "pattern" -> List.of(refused(at, what + " '" + value.asText() + "' "
                    + rule.path("patternErrorMessage").asText("does not match " + m.getSchemaNode().asText())));
            case "minimum", "maximum" -> List.of(refused(at, what + " must be " + range(rule)));
            case "uniqueItems" -> duplicates(at, what);
            case "minProperties", "maxProperties" -> List.of(new Finding(at, tree.keyLine(at), what + " " + count(rule, m.getType()), true, false));
            default -> List.of(new Finding(at, tree.line(at), what + ": " + m.getError(), false, false));
        };
    }

    /** A pointer to the same place as a path of the validator's. */
    static JsonPointer pointer(JsonNodePath path) {
        var out = JsonPointer.empty();
        for (int i = 0; i < path.getNameCount(); i++) {
            out = path.getElement(i) instanceof Integer index ? out.appendIndex(index) : out.appendProperty(path.getName(i));
        }
        return out;
    }

    private String what(JsonPointer at) {
        return names.what(at, tree.root());
    }

    private Finding refused(JsonPointer at, String text) {
        return new Finding(at, tree.line(at), text, true, false);
    }

    /** Text read as another type is the usual YAML trap (an unquoted +1555..., yes, 1.10): say how to keep it text. */
    private String wrongType(JsonPointer at, String expected) {
        var node = tree.place(at).map(YamlTree.Place::node).orElseThrow();
        var found = YamlTree.kind(node);
        if (expected.equals("string") && node instanceof ScalarNode scalar) {
            return found.equals("nothing") ? what(at) + " is empty"
                    : what(at) + " must be quoted, or YAML reads it as " + found + ": \"" + scalar.getValue() + "\"";
        }
        var wanted = switch (expected) {
            case "string" -> "text";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "array" -> "a list, e.g. [a, b]";
            case "object" -> "a mapping of key: value lines";
            default -> expected;
        };
        return what(at) + " must be " + wanted + ", not " + found;
    }

    private Finding required(JsonPointer at, String key, JsonNode rule) {
        if (at.matches()) {
            var stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            return new Finding(at, 1, key + " is missing" + (key.equals("name") ? " (add e.g. name: " + stem + ")" : ""), false, false);
        }
        var known = rule.path("properties").path(key).path("enum");
        return new Finding(at, tree.keyLine(at), what(at) + " needs a " + key
                + (known.isArray() ? " (one of " + String.join(", ", sorted(known)) + ")" : ""), false, false);
    }

    /** A key that breaks the mapping's rule for keys: a pattern (its text follows the key) or a list of keys it may not have. */
    private Finding propertyName(JsonPointer at, String key, JsonNode rule) {
        var child = at.appendProperty(key);
        var text = rule.has("patternErrorMessage")
                ? names.keyWhat(at, tree.root()) + " '" + key + "' " + rule.get("patternErrorMessage").asText()
                : what(child) + " " + rule.path("errorMessage").asText("is not a key " + what(at) + " may have");
        return new Finding(child, tree.keyLine(child), text, false, false);
    }

    /** The schema's bounds for the value, both of them even when only one was crossed. */
    private static String range(JsonNode rule) {
        var kind = rule.path("type").asText().equals("integer") ? "a whole number" : "a number";
        var min = rule.path("minimum");
        var max = rule.path("maximum");
        if (!min.isMissingNode() && !max.isMissingNode()) {
            return kind + " from " + min.asText() + " to " + max.asText();
        }
        return kind + (min.isMissingNode() ? " of at most " + max.asText() : " of at least " + min.asText());
    }

    /** Each item equal to an earlier one, at its own line. */
    private List<Finding> duplicates(JsonPointer at, String what) {
        var items = tree.root().at(at);
        var out = new ArrayList<Finding>();
        for (int j = 1; j < items.size(); j++) {
            for (int i = 0; i < j; i++) {
                if (items.get(i).equals(items.get(j))) {
                    var item = at.appendIndex(j);
                    out.add(new Finding(item, tree.line(item), "'" + items.get(j).asText() + "' is listed twice in " + what
                            + " (first on line " + tree.line(at.appendIndex(i)) + ")", true, false));
                    break;
                }
            }
        }
        return out;
    }

    private static String count(JsonNode rule, String keyword) {
        var keys = names(rule.path("properties"));
        if (rule.path("minProperties").asInt(-1) == 1 && rule.path("maxProperties").asInt(-1) == 1 && !keys.isEmpty()) {
            return "needs exactly one of " + String.join(", ", keys.subList(0, keys.size() - 1)) + (keys.size() > 1 ? " or " : "") + keys.getLast();
        }
        return keyword.equals("minProperties") ? "needs at least " + rule.get(keyword) + " keys" : "may have at most " + rule.get(keyword) + " keys";
    }

    private static List<String> names(JsonNode properties) {
        var out = new ArrayList<String>();
        properties.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> sorted(JsonNode values) {
        return StreamSupport.stream(values.spliterator(), false).map(JsonNode::asText).sorted().toList();
    }
}
