package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dialtone.flow.FlowFileNames;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.net.Json;

/**
 * The LLM's recorded answers for one test file ({@code flows/<flow>.test.cassette.json}), per case
 * in the order the case asked for them: each with the request's {@link RequestPrint} (its key, and
 * the digests that say what changed on a miss) and the streamed events as they came (text deltas,
 * tool calls, the finish). Written by {@code test-flows --record}; replayed with no network. The file
 * is JSON with stable key order, so a re-recording shows as a readable diff. Thread-safe.
 */
final class Cassette {
    static final int FORMAT = 1;
    static final String SUFFIX = ".test.cassette.json";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * One answer: the turn of the case that asked (0 while the call connects), how the transcript
     * shows what came before ("caller: ..."), the request, and the events to replay.
     */
    record Recording(int turn, String after, RequestPrint request, List<ChatEvent> events) {
        Recording {
            events = List.copyOf(events);
        }
    }

    /** A cassette that cannot be read: it names the file and what is wrong. */
    static final class Unreadable extends Exception {
        Unreadable(Path file, String reason) {
            super(file + ": " + reason + " (re-record it with bin/dialtone test-flows --record)");
        }
    }

    private final Map<String, List<Recording>> cases = new LinkedHashMap<>(); // guarded by this

    /** The cassette file beside a test file: {@code luigis.test.yaml} -> {@code luigis.test.cassette.json}. */
    static Path beside(Path testFile) {
        return testFile.resolveSibling(FlowFileNames.stem(testFile) + SUFFIX);
    }

    static Cassette empty() {
        return new Cassette();
    }

    /** The recordings of a case, in order (none for a case never recorded). */
    synchronized List<Recording> recordings(String caseName) {
        return List.copyOf(cases.getOrDefault(caseName, List.of()));
    }

    /** Forgets a case's recordings (it is being recorded again). */
    synchronized void clear(String caseName) {
        cases.remove(caseName);
    }

    synchronized void add(String caseName, Recording recording) {
        cases.computeIfAbsent(caseName, k -> new ArrayList<>()).add(recording);
    }

    /** Keeps only the cases named (cases removed from the test file leave the cassette). */
    synchronized void retain(List<String> caseNames) {
        cases.keySet().retainAll(caseNames);
    }

    static Cassette read(Path file) throws Unreadable {
        JsonNode root;
        try {
            root = Json.read(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new Unreadable(file, "not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new Unreadable(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (root.path("cassette").asInt() != FORMAT || !root.path("cases").isObject()) {
            throw new Unreadable(file, "not a Dialtone cassette of format " + FORMAT);
        }
        var cassette = new Cassette();
        for (var it = root.path("cases").fields(); it.hasNext(); ) {
            var entry = it.next();
            for (var item : entry.getValue()) {
                cassette.add(entry.getKey(), recording(file, entry.getKey(), item));
            }
        }
        return cassette;
    }

    private static Recording recording(Path file, String caseName, JsonNode item) throws Unreadable {
        var r = item.path("request");
        var history = new ArrayList<String>();
        r.path("history").forEach(h -> history.add(h.asText()));
        var print = new RequestPrint(item.path("key").asText(), r.path("settings").asText(), r.path("system").asText(),
                                     r.path("tools").asText(), history);
        var events = new ArrayList<ChatEvent>();
        for (var e : item.path("events")) {
            if (e.has("text")) {
                events.add(new ChatEvent.TextDelta(e.get("text").asText()));
            } else if (e.has("tool_call")) {
                var call = e.get("tool_call");
                var arguments = call.path("arguments");
                events.add(new ChatEvent.ToolCallReady(new ToolCall(call.path("id").asText(), call.path("name").asText(),
                        arguments.isTextual() ? arguments.asText() : Json.write(arguments))));
            } else if (e.has("done")) {
                var done = e.get("done");
                events.add(new ChatEvent.Done(done.path("finish_reason").asText("stop"),
                        new ChatEvent.Usage(done.path("input_tokens").asInt(), done.path("output_tokens").asInt())));
            } else {
                throw new Unreadable(file, "a recording of case '" + caseName + "' has an event of no known kind: " + e);
            }
        }
        if (print.key().isEmpty() || events.isEmpty() || !(events.getLast() instanceof ChatEvent.Done)) {
            throw new Unreadable(file, "a recording of case '" + caseName + "' has no key or does not end with done");
        }
        return new Recording(item.path("turn").asInt(), item.path("after").asText(), print, events);
    }

    /** Writes the cassette, whole or not at all (a temporary file moved into place). */
    synchronized void write(Path file, String flow) throws IOException {
        var root = JSON.objectNode().put("cassette", FORMAT).put("flow", flow)
                       .put("note", "The LLM's answers to the cases of " + testFileName(file) + ", replayed by "
                               + "bin/dialtone test-flows. Made by bin/dialtone test-flows --record " + flow + "; re-record, do not edit.");
        var out = root.putObject("cases");
        cases.forEach((name, recordings) -> {
            var list = out.putArray(name);
            recordings.forEach(r -> list.add(json(r)));
        });
        var temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n",
                          StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code luigis.test.cassette.json} -> {@code luigis.test.yaml}. */
    private static String testFileName(Path cassette) {
        var name = cassette.getFileName().toString();
        return (name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name) + FlowFileNames.TEST_SUFFIX;
    }

    private static ObjectNode json(Recording r) {
        var item = JSON.objectNode().put("turn", r.turn()).put("after", r.after()).put("key", r.request().key());
        var request = item.putObject("request").put("settings", r.request().settings()).put("system", r.request().system())
                          .put("tools", r.request().tools());
        var history = request.putArray("history");
        r.request().history().forEach(history::add);
        var events = item.putArray("events");
        for (var e : r.events()) {
            switch (e) {
                case ChatEvent.TextDelta delta -> events.addObject().put("text", delta.text());
                case ChatEvent.ToolCallReady ready -> {
                    var call = events.addObject().putObject("tool_call").put("id", ready.call().id()).put("name", ready.call().name());
                    try {
                        call.set("arguments", Json.read(ready.call().argumentsJson()));
                    } catch (JsonProcessingException ex) {
                        call.put("arguments", ready.call().argumentsJson());
                    }
                }
                case ChatEvent.Done done -> events.addObject().putObject("done").put("finish_reason", done.finishReason())
                                                  .put("input_tokens", done.usage().inputTokens())
                                                  .put("output_tokens", done.usage().outputTokens());
                case ChatEvent.Failed failed -> {
                    // a failed answer is never recorded: the case fails instead
                }
            }
        }
        return item;
    }
}
