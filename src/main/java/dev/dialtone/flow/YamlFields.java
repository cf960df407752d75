package dev.dialtone.flow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reads of a composed YAML tree that remember where each value is: every read that fails
 * adds a plain-language {@link Problem} with the value's line, and returns empty so that reading
 * goes on and the whole file is checked in one pass. Used by one loading thread.
 */
final class YamlFields {
    private final Path file;
    private final List<Problem> problems;

    YamlFields(Path file, List<Problem> problems) {
        this.file = file;
        this.problems = problems;
    }

    /** A key of a mapping with its value and the key's line. */
    record Entry(String key, Node value, int line) {
    }

    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    Path file() {
        return file;
    }

    void error(Node at, String message) {
        problems.add(Problem.error(file, line(at), message));
    }

    void error(int line, String message) {
        problems.add(Problem.error(file, line, message));
    }

    void warning(int line, String message) {
        problems.add(Problem.warning(file, line, message));
    }

    /**
     * Reads a mapping; keys not in {@code allowed} (when it is not null) are errors with a "did you
     * mean" hint; duplicate keys are errors. Keys keep their order.
     */
    Optional<Map<String, Entry>> mapping(Node node, String what, Collection<String> allowed) {
        if (!(node instanceof MappingNode map)) {
            error(node, what + " must be a mapping of key: value lines" + found(node));
            return Optional.empty();
        }
        var entries = new LinkedHashMap<String, Entry>();
        for (var tuple : map.getValue()) {
            var keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                error(keyNode, "keys in " + what + " must be plain words");
                continue;
            }
            var key = scalar.getValue();
            if (entries.containsKey(key)) {
                error(keyNode, "'" + key + "' appears twice in " + what + " (first on line " + entries.get(key).line() + ")");
                continue;
            }
            if (allowed != null && !allowed.contains(key)) {
                error(keyNode, "unknown key '" + key + "' in " + what + Names.didYouMean(key, allowed));
                continue;
            }
            entries.put(key, new Entry(key, tuple.getValueNode(), line(keyNode)));
        }
        return Optional.of(entries);
    }

    Optional<String> text(Node node, String what) {
        if (node instanceof ScalarNode scalar) {
            var tag = scalar.getTag();
            if (tag.equals(Tag.STR)) {
                return Optional.of(scalar.getValue());
            }
            if (tag.equals(Tag.NULL)) {
                error(node, what + " is empty");
                return Optional.empty();
            }
            error(node, what + " must be text, not " + kind(node) + "; put it in quotes: \"" + scalar.getValue() + "\"");
            return Optional.empty();
        }
        error(node, what + " must be text" + found(node));
        return Optional.empty();
    }

    Optional<Boolean> bool(Node node, String what) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            return Optional.of(Boolean.parseBoolean(scalar.getValue().toLowerCase(java.util.Locale.ROOT))
                    || List.of("yes", "on", "y").contains(scalar.getValue().toLowerCase(java.util.Locale.ROOT)));
        }
        error(node, what + " must be true or false" + found(node));
        return Optional.empty();
    }

    Optional<Integer> integer(Node node, String what, int min, int max) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
            try {
                int value = Integer.parseInt(scalar.getValue().replace("_", ""));
                if (value >= min && value <= max) {
                    return Optional.of(value);
                }
            } catch (NumberFormatException ignored) {
                // Out of int range: reported below like any other out-of-range value.
            }
            error(node, what + " must be a whole number from " + min + " to " + max);
            return Optional.empty();
        }
        error(node, what + " must be a whole number" + found(node));
        return Optional.empty();
    }

    Optional<Double> number(Node node, String what, double min, double max) {
        if (node instanceof ScalarNode scalar && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
            try {
                double value = Double.parseDouble(scalar.getValue().replace("_", ""));
                if (value >= min && value <= max) {
                    return Optional.of(value);
                }
            } catch (NumberFormatException ignored) {
                // Reported below.
            }
            error(node, what + " must be a number from " + fmt(min) + " to " + fmt(max));
            return Optional.empty();
        }
        error(node, what + " must be a number" + found(node));
        return Optional.empty();
    }

    /** The items of a list; a single scalar is refused with the list syntax as a hint. */
    Optional<List<Node>> list(Node node, String what) {
        if (node instanceof SequenceNode seq) {
            return Optional.of(new ArrayList<>(seq.getValue()));
        }
        error(node, what + " must be a list, e.g. [a, b]" + found(node));
        return Optional.empty();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String found(Node node) {
        return ", not " + kind(node);
    }

    static String kind(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "nothing";
            case ScalarNode s when s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT) -> "a number";
            case ScalarNode s when s.getTag().equals(Tag.BOOL) -> "true/false";
            case ScalarNode s -> "text";
            default -> "this";
        };
    }
}
