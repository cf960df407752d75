package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

import dev.dialtone.net.Json;

/**
 * The structure of a flow file, checked against flows/flow.schema.json: the one statement of which
 * keys a flow has, their types, allowed values and ranges (editors read the same file). The build
 * copies it next to this class (pom.xml), so a server run from its jar has it; it is read once.
 * {@link FlowParser} then reads the checked tree and does the checks the schema cannot express.
 * Thread-safe.
 */
final class FlowSchema {
    static final String RESOURCE = "flow.schema.json";
    /** Editors' custom messages (yaml-language-server): read by {@link SchemaMessages}, declared so the validator does not warn about them. */
    static final List<String> MESSAGE_KEYWORDS = List.of("patternErrorMessage", "errorMessage");

    private static final JsonNode JSON = load();
    private static final YamlDocument.Schema SCHEMA = YamlDocument.Schema.of(JSON, FlowPaths.NAMES);

    private FlowSchema() {
    }

    /** A draft-07 factory that knows the editors' message keywords. */
    static JsonSchemaFactory factory() {
        var meta = JsonMetaSchema.builder(JsonMetaSchema.getV7())
                .keywords(MESSAGE_KEYWORDS.stream().map(NonValidationKeyword::new).toList())
                .build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, builder -> builder.metaSchema(meta));
    }

    /** The schema as JSON. */
    static JsonNode json() {
        return JSON;
    }

    /** The providers a block ("stt", "llm", "tts") may name, sorted. */
    static List<String> providers(String block) {
        var names = JSON.path("properties").path(block).path("properties").path("provider").path("enum");
        return StreamSupport.stream(names.spliterator(), false).map(JsonNode::asText).sorted().toList();
    }

    /**
     * Checks {@code tree} (a document, not an empty file), adding a problem for each finding at its
     * line, and returns where the values the schema refused are: the parser treats them as absent.
     * A value of the wrong type gets that one problem; what else the validator says about it would
     * follow from it.
     */
    static Set<JsonPointer> check(Path file, YamlTree tree, List<Problem> problems) {
        return SCHEMA.check(file, tree, problems);
    }

    private static JsonNode load() {
        try (var in = FlowSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath next to " + FlowSchema.class.getName()
                        + ": the build copies it there from flows/ (pom.xml, build resources)");
            }
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
