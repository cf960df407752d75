package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What Anthropic's Messages API refuses, with the status and error body it answers
 * ({@code {"type":"error","error":{"type":"invalid_request_error","message":...}}}); the fake checks
 * every request with these rules, and tests check histories with them directly. Where the API has
 * relaxed a rule over time (it now merges consecutive turns of one role), the rule here is the
 * strict one: roles alternate and the first message is the user's.
 */
public final class AnthropicRequestRules {
    /** Current models, by prefix (docs.anthropic.com/en/docs/about-claude/models). */
    private static final List<String> KNOWN = List.of("claude-opus-4", "claude-sonnet-4", "claude-haiku-4-5",
                                                      "claude-3-7-sonnet", "claude-3-haiku-20240307");
    /** Retired models (docs.anthropic.com/en/docs/about-claude/model-deprecations): 404 not_found_error. */
    private static final Set<String> RETIRED = Set.of("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022",
            "claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20240620",
            "claude-3-opus-20240229", "claude-3-opus-latest", "claude-3-sonnet-20240229", "claude-2.1", "claude-2.0",
            "claude-instant-1.2");

    private AnthropicRequestRules() {
    }

    /** The refusal the real API would answer with, if any. */
    public static Optional<FakeLlmServer.Refusal> check(JsonNode body) {
        var model = body.path("model").asText("");
        if (model.isEmpty()) {
            return invalid("model: Field required");
        }
        if (RETIRED.contains(model) || KNOWN.stream().noneMatch(model::startsWith)) {
            return Optional.of(new FakeLlmServer.Refusal(404, error("not_found_error", "model: " + model)));
        }
        if (!body.path("max_tokens").canConvertToInt() || body.path("max_tokens").asInt() < 1) {
            return invalid(body.has("max_tokens") ? "max_tokens: Input should be greater than or equal to 1"
                                                  : "max_tokens: Field required");
        }
        if (body.has("temperature")) {
            double t = body.path("temperature").asDouble();
            if (t < 0 || t > 1) {
                return invalid("temperature: range: 0..1");
            }
        }
        var tools = tools(body);
        if (tools.isPresent()) {
            return tools;
        }
        return messages(body.path("messages"));
    }

    /**
     * Tools and tool_choice (docs.anthropic.com/en/docs/agents-and-tools/tool-use): each input_schema
     * an object schema; a tool_choice of type auto, any, tool or none, naming one of the tools when
     * it forces one, and only with tools. The wording of the last two refusals is not documented.
     */
    private static Optional<FakeLlmServer.Refusal> tools(JsonNode body) {
        var names = new LinkedHashSet<String>();
        var tools = body.path("tools");
        for (int i = 0; i < tools.size(); i++) {
            if (!tools.get(i).path("input_schema").path("type").asText("").equals("object")) {
                return invalid("tools." + i + ".custom.input_schema.type: Input should be 'object'");
            }
            names.add(tools.get(i).path("name").asText());
        }
        if (!body.has("tool_choice")) {
            return Optional.empty();
        }
        var choice = body.path("tool_choice");
        var type = choice.path("type").asText("");
        if (!Set.of("auto", "any", "tool", "none").contains(type)) {
            return invalid("tool_choice: Input tag '" + type + "' found using 'type' does not match any of the expected "
                           + "tags: 'auto', 'any', 'tool', 'none'");
        }
        if (names.isEmpty() && !type.equals("none")) {
            return invalid("tool_choice may only be specified while providing tools.");
        }
        if (type.equals("tool") && !names.contains(choice.path("name").asText(""))) {
            return invalid("tool_choice.name: Tool '" + choice.path("name").asText("") + "' not found in the tools provided");
        }
        return Optional.empty();
    }

    /** The problems of a request, for tests: empty when the API would take it. */
    public static List<String> problems(JsonNode body) {
        var out = new ArrayList<String>();
        check(body).ifPresent(r -> out.add(r.body()));
        return out;
    }

    private static Optional<FakeLlmServer.Refusal> messages(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            return invalid("messages: at least one message is required");
        }
        var unanswered = new LinkedHashSet<String>(); // tool_use ids of the previous assistant message
        for (int i = 0; i < messages.size(); i++) {
            var message = messages.get(i);
            var role = message.path("role").asText("");
            if (!role.equals("user") && !role.equals("assistant")) {
                return invalid("messages." + i + ".role: Input should be 'user' or 'assistant'");
            }
            if (i == 0 && !role.equals("user")) {
                return invalid("messages: first message must use the \"user\" role");
            }
            if (i > 0 && messages.get(i - 1).path("role").asText().equals(role)) {
                return invalid("messages: roles must alternate between \"user\" and \"assistant\", but found multiple \""
                               + role + "\" roles in a row");
            }
            var content = message.path("content");
            boolean last = i == messages.size() - 1;
            if (content.isTextual() ? content.asText().isEmpty() : !content.isArray() || content.isEmpty()) {
                if (!(last && role.equals("assistant"))) {
                    return invalid("messages." + i + ": all messages must have non-empty content except for the "
                                   + "optional final assistant message");
                }
            }
            var used = new LinkedHashSet<String>();
            boolean textSeen = false;
            for (int b = 0; content.isArray() && b < content.size(); b++) {
                var block = content.get(b);
                switch (block.path("type").asText("")) {
                    case "text" -> {
                        if (block.path("text").asText("").isBlank()) {
                            return invalid("messages: text content blocks must contain non-whitespace text");
                        }
                        textSeen = true;
                    }
                    case "tool_use" -> {
                        if (!role.equals("assistant")) {
                            return invalid("messages." + i + ".content." + b + ": tool_use blocks are only allowed in assistant messages");
                        }
                        used.add(block.path("id").asText());
                    }
                    case "tool_result" -> {
                        var id = block.path("tool_use_id").asText();
                        if (!role.equals("user") || !unanswered.remove(id)) {
                            return invalid("messages." + i + ".content." + b + ": unexpected `tool_use_id` found in "
                                    + "`tool_result` blocks: " + id + ". Each `tool_result` block must have a "
                                    + "corresponding `tool_use` block in the previous message.");
                        }
                        if (textSeen) {
                            return invalid("messages." + i + ": tool_result blocks must come first in the content of "
                                           + "a user message, before any text");
                        }
                    }
                    default -> {
                    }
                }
            }
            if (!unanswered.isEmpty()) {
                return invalid("messages." + (i - 1) + ": `tool_use` ids were found without `tool_result` blocks "
                        + "immediately after: " + String.join(", ", unanswered) + ". Each `tool_use` block must have a "
                        + "corresponding `tool_result` block in the next message.");
            }
            unanswered = used;
        }
        if (!unanswered.isEmpty()) {
            return invalid("messages." + (messages.size() - 1) + ": `tool_use` ids were found without `tool_result` "
                    + "blocks immediately after: " + String.join(", ", unanswered) + ". Each `tool_use` block must have "
                    + "a corresponding `tool_result` block in the next message.");
        }
        return Optional.empty();
    }

    private static Optional<FakeLlmServer.Refusal> invalid(String message) {
        return Optional.of(new FakeLlmServer.Refusal(400, error("invalid_request_error", message)));
    }

    private static String error(String type, String message) {
        var root = FakeLlmServer.JSON.createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return root.toString();
    }
}
