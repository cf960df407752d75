package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The keys the parser reads and the keys flows/flow.schema.json describes are one set: a key added
 * to the schema that the parser ignores, or read by the parser that the schema does not describe
 * (and so refuses as unknown), fails here. Places are compared by the schema's names for them, a
 * node name, list item or phone key being "*": /nodes/&#42;/next/&#42;, /stt/keyterms/&#42;.
 */
class SchemaKeysTest {
    /** A flow with every key the schema has, each at least once (a phone key takes one route key, so there are three). */
    static final String EVERY_KEY = """
            name: every-key
            numbers: ["+15550001111"]
            default: true
            debug: false
            tests: gate
            staging_callers: ["+15557770000"]
            greeting: "Hello, {{call.from}}"
            prompt: You answer the phone.
            timezone: Europe/London
            stt: { provider: deepgram, model: nova-3, language: en-US, endpointing: 300, utterance_end_ms: 1000,
                   keyterms: [calzone], smart_format: true }
            llm: { provider: anthropic, model: claude-haiku-4-5, temperature: 0.5, max_tokens: 300 }
            tts: { provider: elevenlabs, model: eleven_flash_v2_5, voice: v1, language: en, stability: 0.5,
                   similarity_boost: 0.7, style: 0.1, speed: 1.1 }
            tools: [end_call]
            transfer_to: { to: "+15550009999", mode: warm, ring_s: 20, briefing: "Summarise the order.",
                           hold_music: "https://example.com/hold.mp3", on_no_answer: { node: greet, say: "Nobody is free." } }
            voicemail: { say: "Please call us back.", then: hangup }
            screening: "Luigi's Pizza, about your order."
            recording: { enabled: true, channels: dual, consent: "This call may be recorded." }
            webhooks: [{ url: "https://hooks.example.com/in", events: [call.ended], secret: s3cret }]
            turn: { interruptions: true, min_interrupt_words: 2, silence_reprompt_s: 8, max_call_s: 900, speculate: true }
            start: greet
            nodes:
              greet: { prompt: Greet them., tools: [transfer_call], say: Hello., next: { bye: "They are done", account: "They have an account", desk: "They want a person" } }
              bye: { end: true }
              desk: { transfer: { to: "+15550001111", mode: warm, ring_s: 20, briefing: Sum it up., hold_music: "https://example.com/hold.mp3",
                                  on_no_answer: { node: greet, say: Nobody is free. } } }
              account: { collect: { digits: "4-10", finish_on: "#", timeout_s: 8, into: account, mask: true,
                                    prompt: Key it in., reprompt: Again please., attempts: 3 },
                         patience: { endpointing_ms: 1200, utterance_end_ms: 2500, eot_threshold: 0.9, eot_timeout_ms: 8000 } }
            redact: { cards: true, national_ids: true, min_digit_run: 8 }
            analysis: { schema: { type: object, properties: { booked: { type: boolean } } }, prompt: "Did they book?",
                        llm: { provider: openai, model: gpt-4o-mini, temperature: 0, max_tokens: 500 } }
            dtmf: { "0": { transfer: { to: "+15550009999", mode: cold, ring_s: 30, briefing: "B.", hold_music: "https://example.com/h.mp3",
                                       on_no_answer: { node: bye, say: "Sorry." } } }, "1": { node: bye }, "2": { hangup: true }, "9": hangup }
            """;
    /** The keys of a Flux stt block, which a Nova block may not carry (and the reverse): a flow of their own. */
    static final String FLUX_KEYS = """
            name: flux-keys
            stt: { provider: deepgram, model: flux-general-en, eot_threshold: 0.7, eager_eot_threshold: 0.5, eot_timeout_ms: 5000 }
            """;
    static final JsonNode SCHEMA = FlowSchema.json();
    /** Places whose contents the schema does not describe key by key. */
    static final Set<String> FREE_FORM = Set.of("/analysis/schema");

    @Test
    void theParserReadsExactlyTheKeysTheSchemaDescribes() {
        var problems = new ArrayList<Problem>();
        var asked = new HashSet<JsonPointer>();
        var parsed = FlowParser.parse(Path.of("every-key.yaml"), EVERY_KEY, problems, asked);
        assertThat(problems).isEmpty();
        parsed.orElseThrow();
        FlowParser.parse(Path.of("flux-keys.yaml"), FLUX_KEYS, problems, asked).orElseThrow();
        assertThat(problems).isEmpty();
        var described = described();
        var inFile = new TreeSet<String>();
        valuesIn(new ObjectMapper().valueToTree(new Yaml().load(EVERY_KEY)), JsonPointer.empty(), inFile);
        valuesIn(new ObjectMapper().valueToTree(new Yaml().load(FLUX_KEYS)), JsonPointer.empty(), inFile);
        assertThat(inFile).as("EVERY_KEY has every key of the schema (add the missing ones)").isEqualTo(described);
        var read = new TreeSet<String>();
        for (var at : asked) {
            // Reading turn/max_call_s reads the turn mapping too.
            for (var p = at; !p.matches(); p = p.head()) {
                read.add(schemaName(p));
            }
        }
        assertThat(read).as("the places the parser asks for, by the schema's names (\"?\" : not in the schema)").isEqualTo(described);
    }

    @Test
    void aPlaceOutsideTheSchemaIsNamedAsSuch() {
        // The check above is only as good as schemaName: it must tell a described place from any other.
        assertThat(schemaName(YamlFields.at("nodes", "greet", "next", "bye"))).isEqualTo("/nodes/*/next/*");
        assertThat(schemaName(YamlFields.at("dtmf", "1", "transfer"))).isEqualTo("/dtmf/*/transfer");
        assertThat(schemaName(YamlFields.at("stt", "voice"))).startsWith("?");
        assertThat(schemaName(YamlFields.at("turn", "max_call_s", "x"))).startsWith("?");
    }

    /** Puts the schema's name of every value under {@code at} into {@code out}. */
    static void valuesIn(JsonNode value, JsonPointer at, Set<String> out) {
        if (!at.matches()) {
            out.add(schemaName(at));
        }
        if (FREE_FORM.contains(at.toString())) {
            return; // a value the schema leaves whole (the analysis' own JSON Schema)
        }
        if (value.isObject()) {
            value.fieldNames().forEachRemaining(k -> valuesIn(value.get(k), at.appendProperty(k), out));
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                valuesIn(value.get(i), at.appendIndex(i), out);
            }
        }
    }

    /** The schema's name for a place: keys its "properties" name stay, others reached by additionalProperties or items are "*"; "?" and the place when the schema has none. */
    static String schemaName(JsonPointer at) {
        List<JsonNode> schemas = List.of(SCHEMA);
        var name = new StringBuilder();
        for (var segment : FlowPaths.segments(at)) {
            var named = new ArrayList<JsonNode>();
            var any = new ArrayList<JsonNode>();
            for (var s : withParts(schemas)) {
                if (s.path("properties").has(segment)) {
                    named.add(s.path("properties").get(segment));
                }
                for (var holder : List.of("additionalProperties", "items")) {
                    if (s.path(holder).isObject()) {
                        any.add(s.get(holder));
                    }
                }
            }
            if (named.isEmpty() && any.isEmpty()) {
                return "?" + at;
            }
            name.append('/').append(named.isEmpty() ? "*" : segment);
            schemas = named.isEmpty() ? any : named;
        }
        return name.toString();
    }

    /** Every place the schema describes, named as {@link #schemaName} names them. */
    static Set<String> described() {
        var out = new TreeSet<String>();
        describe(List.of(SCHEMA), "", out);
        return out;
    }

    private static void describe(List<JsonNode> schemas, String prefix, Set<String> out) {
        for (var s : withParts(schemas)) {
            s.path("properties").fieldNames().forEachRemaining(k -> {
                out.add(prefix + "/" + k);
                describe(List.of(s.path("properties").get(k)), prefix + "/" + k, out);
            });
            for (var holder : List.of("additionalProperties", "items")) {
                if (s.path(holder).isObject()) {
                    out.add(prefix + "/*");
                    describe(List.of(s.get(holder)), prefix + "/*", out);
                }
            }
        }
    }

    /** The schemas with the subschemas that add keys to the same place: $ref, allOf, then, else (an if only tests). */
    private static List<JsonNode> withParts(List<JsonNode> schemas) {
        var out = new ArrayList<JsonNode>();
        var todo = new ArrayDeque<>(schemas);
        while (!todo.isEmpty()) {
            var s = todo.poll();
            out.add(s);
            if (s.has("$ref")) {
                todo.add(SCHEMA.at(s.get("$ref").asText().substring(1)));
            }
            s.path("allOf").forEach(todo::add);
            for (var branch : List.of("then", "else")) {
                if (s.has(branch)) {
                    todo.add(s.get(branch));
                }
            }
        }
        return out;
    }
}
