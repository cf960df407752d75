package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.net.Json;

/**
 * A chat request reduced to what decides the LLM's answer (model and settings, system prompt,
 * tools, history), in a canonical form: JSON with sorted keys, tool arguments and results parsed
 * and written again, and tool-call ids renumbered in order of appearance (providers make up their
 * own). {@code key} identifies it in a cassette; the per-part digests let a miss say what changed.
 *
 * @param settings "model temperature=... max_tokens=...", readable
 * @param system   digest of the system prompt
 * @param tools    digest of the tools offered
 * @param history  per message, its role ("caller", "agent", "tool") and digest, e.g. "caller:3f2a..."
 */
record RequestPrint(String key, String settings, String system, String tools, List<String> history) {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int DIGEST_CHARS = 12;

    RequestPrint {
        history = List.copyOf(history);
    }

    static RequestPrint of(ChatRequest request) {
        var settings = request.model() + " temperature=" + request.temperature().map(String::valueOf).orElse("default")
                       + " max_tokens=" + request.maxTokens().map(String::valueOf).orElse("default");
        var tools = JSON.arrayNode();
        request.tools().forEach(t -> tools.addObject().put("name", t.name()).put("description", t.description())
                                          .set("parameters", parsed(t.parametersJsonSchema())));
        var ids = new HashMap<String, String>();
        var history = JSON.arrayNode();
        var roles = new ArrayList<String>();
        for (var message : request.history()) {
            var m = history.addObject();
            switch (message) {
                case ChatMessage.User user -> {
                    m.put("role", "caller").put("text", user.text());
                    roles.add("caller");
                }
                case ChatMessage.Assistant agent -> {
                    m.put("role", "agent").put("text", agent.text());
                    var calls = m.putArray("calls");
                    agent.toolCalls().forEach(c -> calls.addObject().put("id", id(ids, c.id())).put("name", c.name())
                                                        .set("arguments", parsed(c.argumentsJson())));
                    roles.add("agent");
                }
                case ChatMessage.ToolResult result -> {
                    m.put("role", "tool").put("id", id(ids, result.callId())).put("name", result.toolName())
                     .put("error", result.isError()).set("content", parsed(result.contentJson()));
                    roles.add("tool");
                }
            }
        }
        var whole = JSON.objectNode().put("settings", settings).put("system", request.systemPrompt());
        whole.set("tools", tools);
        whole.set("history", history);
        var digests = new ArrayList<String>();
        for (int i = 0; i < history.size(); i++) {
            digests.add(roles.get(i) + ":" + digest(canonical(history.get(i))).substring(0, DIGEST_CHARS));
        }
        return new RequestPrint(digest(canonical(whole)), settings, digest(request.systemPrompt()).substring(0, DIGEST_CHARS),
                                digest(canonical(tools)).substring(0, DIGEST_CHARS), digests);
    }

    /** What differs from {@code recorded}, in words ("" when nothing but the key does, which a changed digest length would cause). */
    String differences(RequestPrint recorded) {
        var out = new ArrayList<String>();
        if (!settings.equals(recorded.settings)) {
            out.add("the model or its settings differ (now " + settings + "; recorded " + recorded.settings + ")");
        }
        if (!system.equals(recorded.system)) {
            out.add("the system prompt differs (the flow's or the node's prompt changed, or a {{state.*}} value in it)");
        }
        if (!tools.equals(recorded.tools)) {
            out.add("the tools offered differ (a tool added or removed, or a plugin's description or parameters changed)");
        }
        int n = Math.min(history.size(), recorded.history.size());
        for (int i = 0; i <= n; i++) {
            if (i == n) {
                if (history.size() != recorded.history.size()) {
                    out.add("the history has " + history.size() + " messages where the recording has " + recorded.history.size());
                }
                break;
            }
            if (!history.get(i).equals(recorded.history.get(i))) {
                var role = history.get(i).substring(0, history.get(i).indexOf(':'));
                out.add("the history differs from message " + (i + 1) + " on (" + switch (role) {
                    case "caller" -> "what the caller said";
                    case "agent" -> "what the agent said or which tools it called";
                    default -> "a tool's result: a plugin or a case's stand-in answers differently";
                } + ")");
                break;
            }
        }
        return String.join("; ", out);
    }

    private static String id(Map<String, String> ids, String id) {
        return ids.computeIfAbsent(id, k -> "call-" + (ids.size() + 1));
    }

    /** JSON text as a tree (so spacing and key order do not count), or as text when it is not JSON. */
    private static JsonNode parsed(String text) {
        try {
            return Json.read(text);
        } catch (JsonProcessingException e) {
            return JSON.textNode(text);
        }
    }

    /** The tree written with every object's keys sorted. */
    static String canonical(JsonNode node) {
        return Json.write(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var keys = new TreeMap<String, JsonNode>();
            object.fields().forEachRemaining(e -> keys.put(e.getKey(), sorted(e.getValue())));
            var out = JSON.objectNode();
            keys.forEach(out::set);
            return out;
        }
        if (node instanceof ArrayNode array) {
            var out = JSON.arrayNode();
            array.forEach(item -> out.add(sorted(item)));
            return out;
        }
        return node;
    }

    static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
