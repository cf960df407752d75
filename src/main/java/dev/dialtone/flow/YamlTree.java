package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML file read with SnakeYAML's node API and turned into a Jackson tree (the form the JSON
 * Schema validator checks), remembering for every value, by its JSON pointer, the YAML node it came
 * from (so its line and style) and the line of its key. What a JSON tree cannot hold is reported
 * here with its line: YAML syntax, a key given twice (the first one counts), a key that is not a
 * plain word. Scalars mean what SnakeYAML's loader makes of them (YAML 1.1: {@code 1_000} and
 * {@code 0x1F} are numbers, {@code yes} is true); any other tag (a date, {@code !custom}) is text.
 */
final class YamlTree {
    /** Deep enough for any flow; stops an alias that contains itself. */
    private static final int MAX_DEPTH = 32;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Where a value is: its YAML node, and the line of its key (the value's own line for the root and list items). */
    record Place(Node node, int keyLine) {
        int line() {
            return line(node);
        }

        static int line(Node node) {
            return node.getStartMark().getLine() + 1;
        }
    }

    private final JsonNode root;
    private final Map<JsonPointer, Place> places;

    private YamlTree(JsonNode root, Map<JsonPointer, Place> places) {
        this.root = root;
        this.places = places;
    }

    /**
     * Reads {@code text}; empty (with the problem added) when it is not YAML. A file without a
     * document gives a tree whose root is missing.
     *
     * @param describe names the mapping at a pointer in messages ("the flow", "turn")
     */
    static Optional<YamlTree> read(Path file, String text, Function<JsonPointer, String> describe, List<Problem> problems) {
        Node document;
        try {
            var options = new LoaderOptions();
            options.setMaxAliasesForCollections(20);
            options.setCodePointLimit(1 << 20);
            document = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(Problem.error(file, mark == null ? 1 : mark.getLine() + 1, "YAML syntax: "
                    + (e.getProblem() != null ? e.getProblem() : e.getMessage()) + (e.getContext() != null ? " (" + e.getContext() + ")" : "")));
            return Optional.empty();
        } catch (YAMLException e) {
            problems.add(Problem.error(file, 1, "YAML syntax: " + e.getMessage()));
            return Optional.empty();
        }
        if (document == null) {
            return Optional.of(new YamlTree(MissingNode.getInstance(), Map.of()));
        }
        var reader = new Reader(file, describe, problems);
        var root = reader.json(document, JsonPointer.empty(), 1, 0);
        return Optional.of(new YamlTree(root, reader.places));
    }

    JsonNode root() {
        return root;
    }

    /** The place of the value at {@code at}, if the file has one there. */
    Optional<Place> place(JsonPointer at) {
        return Optional.ofNullable(places.get(at));
    }

    /** The line of the value at {@code at} (1 when there is none, which only a wrong pointer asks for). */
    int line(JsonPointer at) {
        return place(at).map(Place::line).orElse(1);
    }

    /** The line of the key of the value at {@code at}. */
    int keyLine(JsonPointer at) {
        return place(at).map(Place::keyLine).orElse(1);
    }

    /** How a value reads in messages: "a mapping", "a list", "nothing", "a number", "true/false", "text". */
    static String kind(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "nothing";
            case ScalarNode s when s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT) -> "a number";
            case ScalarNode s when s.getTag().equals(Tag.BOOL) -> "true/false";
            default -> "text";
        };
    }

    /** One conversion: the places found so far, and the problems it adds. */
    private static final class Reader {
        private final Path file;
        private final Function<JsonPointer, String> describe;
        private final List<Problem> problems;
        private final Map<JsonPointer, Place> places = new HashMap<>();
        private final Scalars scalars = new Scalars();

        Reader(Path file, Function<JsonPointer, String> describe, List<Problem> problems) {
            this.file = file;
            this.describe = describe;
            this.problems = problems;
        }

        JsonNode json(Node node, JsonPointer at, int keyLine, int depth) {
            places.put(at, new Place(node, keyLine));
            if (depth > MAX_DEPTH) {
                problems.add(Problem.error(file, Place.line(node), "the YAML nests deeper than " + MAX_DEPTH
                        + " levels here (an alias that contains itself?)"));
                return JSON.nullNode();
            }
            return switch (node) {
                case MappingNode map -> mapping(map, at, depth);
                case SequenceNode seq -> {
                    var array = JSON.arrayNode();
                    for (var item : seq.getValue()) {
                        array.add(json(item, at.appendIndex(array.size()), Place.line(item), depth + 1));
                    }
                    yield array;
                }
                case ScalarNode scalar -> scalar(scalar);
                default -> JSON.nullNode();
            };
        }

        private JsonNode mapping(MappingNode map, JsonPointer at, int depth) {
            var object = JSON.objectNode();
            var keyLines = new HashMap<String, Integer>();
            for (var tuple : map.getValue()) {
                var keyNode = tuple.getKeyNode();
                int line = Place.line(keyNode);
                if (!(keyNode instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                    problems.add(Problem.error(file, line, "keys in " + describe.apply(at) + " must be plain words"));
                    continue;
                }
                var key = scalar.getValue();
                if (keyLines.containsKey(key)) {
                    problems.add(Problem.error(file, line, "'" + key + "' appears twice in " + describe.apply(at)
                            + " (first on line " + keyLines.get(key) + ")"));
                    continue;
                }
                keyLines.put(key, line);
                object.set(key, json(tuple.getValueNode(), at.appendProperty(key), line, depth + 1));
            }
            return object;
        }

        private JsonNode scalar(ScalarNode scalar) {
            var tag = scalar.getTag();
            if (tag.equals(Tag.NULL)) {
                return JSON.nullNode();
            }
            if (!tag.equals(Tag.INT) && !tag.equals(Tag.FLOAT) && !tag.equals(Tag.BOOL)) {
                return JSON.textNode(scalar.getValue());
            }
            try {
                return switch (scalars.value(scalar)) {
                    case Integer i -> JSON.numberNode(i);
                    case Long l -> JSON.numberNode(l);
                    case BigInteger b -> JSON.numberNode(b);
                    case Double d -> JSON.numberNode(d);
                    case Boolean b -> JSON.booleanNode(b);
                    default -> JSON.textNode(scalar.getValue());
                };
            } catch (YAMLException | NumberFormatException e) {
                // An explicit tag on a value that does not fit it (!!int abc): the text as written.
                return JSON.textNode(scalar.getValue());
            }
        }
    }

    /** SnakeYAML's own reading of a number or boolean scalar, so a value means here what it means to any YAML loader. */
    private static final class Scalars extends SafeConstructor {
        Scalars() {
            super(new LoaderOptions());
        }

        Object value(ScalarNode node) {
            return constructObject(node);
        }
    }
}
