package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.dialtone.net.Json;

/**
 * A YAML file checked against a JSON Schema, every finding worded as the flows' are and reported at
 * its line: what other files of the flows folder (flow tests) share with flow files. The document
 * keeps each value's line, and which values the schema refused (a reader treats them as absent, so
 * one mistake is reported once). Immutable once read.
 */
public final class YamlDocument {
    /** How messages name a place in one kind of file ("the flow", "node greet say", "case 2 turn 1"). */
    public interface Names {
        /** The value at {@code at}, named for a message. */
        String what(JsonPointer at, JsonNode root);

        /** The keys of the mapping at {@code at}, named for a message about a key's spelling. */
        default String keyWhat(JsonPointer at, JsonNode root) {
            return "a key of " + what(at, root);
        }
    }

    /** A JSON Schema (draft 07, with the editors' message keywords) and the names of its file's places. Thread-safe. */
    public static final class Schema {
        private final JsonNode json;
        private final JsonSchema schema;
        private final Names names;

        private Schema(JsonNode json, Names names) {
            this.json = json;
            this.names = names;
            this.schema = FlowSchema.factory().getSchema(json, SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build());
        }

        /**
         * The schema in the resource {@code name} next to {@code owner} (the build copies it there from
         * flows/, so editors and the server read one file).
         */
        public static Schema resource(Class<?> owner, String name, Names names) {
            try (var in = owner.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " is not on the classpath next to " + owner.getName()
                            + ": the build copies it there from flows/ (pom.xml, build resources)");
                }
                return new Schema(Json.MAPPER.readTree(in), names);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Schema of(JsonNode json, Names names) {
            return new Schema(json, names);
        }

        public JsonNode json() {
            return json;
        }

        /**
         * Checks {@code tree} (a document, not an empty file), adding a problem for each finding at its
         * line, and returns where the values the schema refused are. A value of the wrong type gets
         * that one problem; what else the validator says about it would follow from it.
         */
        Set<JsonPointer> check(Path file, YamlTree tree, List<Problem> problems) {
            var messages = new SchemaMessages(file, tree, json, names);
            var findings = schema.validate(tree.root()).stream().flatMap(m -> messages.findings(m).stream()).toList();
            var wrongType = findings.stream().filter(SchemaMessages.Finding::wrongType).map(SchemaMessages.Finding::at)
                    .collect(Collectors.toSet());
            var refused = new HashSet<JsonPointer>();
            var said = new LinkedHashSet<Problem>();
            for (var f : findings) {
                if (f.wrongType() || !wrongType.contains(f.at())) {
                    said.add(Problem.error(file, f.line(), f.text()));
                }
                if (f.refuses()) {
                    refused.add(f.at());
                }
            }
            problems.addAll(said);
            return refused;
        }
    }

    private final Path file;
    private final YamlTree tree;
    private final Set<JsonPointer> refused;

    private YamlDocument(Path file, YamlTree tree, Set<JsonPointer> refused) {
        this.file = file;
        this.tree = tree;
        this.refused = Set.copyOf(refused);
    }

    /**
     * Reads {@code text} and checks it against {@code schema}, adding every problem with its line.
     * Empty when the text is not YAML; a document whose root is missing when the file is empty (no
     * schema check: the caller says what the file needs).
     */
    public static Optional<YamlDocument> read(Path file, String text, Schema schema, List<Problem> problems) {
        // while the tree is read nothing of the file is known yet: names go by the place alone
        var tree = YamlTree.read(file, text, at -> schema.names.what(at, MissingNode.getInstance()), problems);
        if (tree.isEmpty()) {
            return Optional.empty();
        }
        if (tree.get().root().isMissingNode()) {
            return Optional.of(new YamlDocument(file, tree.get(), Set.of()));
        }
        return Optional.of(new YamlDocument(file, tree.get(), schema.check(file, tree.get(), problems)));
    }

    public Path file() {
        return file;
    }

    /** The whole document as JSON; missing for an empty file. */
    public JsonNode root() {
        return tree.root();
    }

    /** The value at {@code at}, when it is there, not null, and the schema did not refuse it. */
    public Optional<JsonNode> value(JsonPointer at) {
        var node = tree.root().at(at);
        return node.isMissingNode() || node.isNull() || refused.contains(at) ? Optional.empty() : Optional.of(node);
    }

    /** The text at {@code at}, when the value there is text. */
    public Optional<String> text(JsonPointer at) {
        return value(at).filter(JsonNode::isTextual).map(JsonNode::textValue);
    }

    /** The places of a list's items; none when the value at {@code at} is not a usable list. */
    public List<JsonPointer> items(JsonPointer at) {
        var out = new ArrayList<JsonPointer>();
        value(at).filter(JsonNode::isArray).ifPresent(v -> {
            for (int i = 0; i < v.size(); i++) {
                out.add(at.appendIndex(i));
            }
        });
        return out;
    }

    /** The line of the value at {@code at} (1 when there is none). */
    public int line(JsonPointer at) {
        return tree.line(at);
    }

    /** The line of the key of the value at {@code at}. */
    public int keyLine(JsonPointer at) {
        return tree.keyLine(at);
    }
}
