package dev.dialtone.fakes;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What OpenAI's Chat Completions API refuses, with the status and error body it answers: the fake
 * checks every request with these rules, and tests check histories with them directly. The
 * messages are OpenAI's own (as its API returns them; openai-python's tests and the API reference
 * show the shapes). Where the real API's behaviour is not documented the rule is stricter than it,
 * never looser: an empty message content is refused here.
 */
public final class OpenAiRequestRules {
    /** Models the fake serves, by prefix; anything else is unknown (404), as on an account without it. */
    private static final List<String> KNOWN = List.of("gpt-4o", "gpt-4.1", "gpt-5", "gpt-4-turbo", "gpt-3.5-turbo",
                                                      "o1", "o3", "o4-mini", "gpt-6");
    /** Models OpenAI has shut down (platform.openai.com/docs/deprecations): they answer 404 too. */
    private static final Set<String> RETIRED = Set.of("gpt-4-32k", "gpt-4-32k-0613", "gpt-4-vision-preview",
            "gpt-4.5-preview", "gpt-4.5-preview-2025-02-27", "o1-preview", "o1-mini", "gpt-3.5-turbo-0613",
            "gpt-3.5-turbo-16k-0613", "text-davinci-003", "gpt-4-0314");

    private OpenAiRequestRules() {
    }

    /** The refusal the real API would answer with, if any. */
    public static Optional<FakeLlmServer.Refusal> check(JsonNode body) {
        var model = body.path("model").asText("");
        if (model.isEmpty()) {
            return invalid("you must provide a model parameter", null, null);
        }
        if (RETIRED.contains(model) || KNOWN.stream().noneMatch(model::startsWith)) {
            return Optional.of(new FakeLlmServer.Refusal(404, error("The model `" + model
                    + "` does not exist or you do not have access to it.", "invalid_request_error", null, "model_not_found")));
        }
        if (reasoning(model)) {
            if (body.has("max_tokens")) {
                return invalid("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                        + "'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter");
            }
            if (body.has("temperature") && body.path("temperature").asDouble() != 1.0) {
                return invalid("Unsupported value: 'temperature' does not support " + body.path("temperature").asText()
                        + " with this model. Only the default (1) value is supported.", "temperature", "unsupported_value");
            }
        }
        if (body.has("temperature")) {
            double t = body.path("temperature").asDouble();
            if (t > 2) {
                return invalid("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got "
                        + body.path("temperature").asText() + " instead.", "temperature", "decimal_above_max_value");
            }
            if (t < 0) {
                return invalid("Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got "
                        + body.path("temperature").asText() + " instead.", "temperature", "decimal_below_min_value");
            }
        }
        if (body.has("response_format")) {
            var format = responseFormat(body.path("response_format"));
            if (format.isPresent()) {
                return format;
            }
        }
        return messages(body.path("messages"));
    }

    /**
     * Structured outputs (platform.openai.com/docs/guides/structured-outputs): the format's type,
     * a json_schema's name, and the rules a strict schema must keep (every object closed with
     * additionalProperties false and all its properties required; an object at the root).
     */
    private static Optional<FakeLlmServer.Refusal> responseFormat(JsonNode format) {
        var type = format.path("type").asText("");
        switch (type) {
            case "text", "json_object" -> {
                return Optional.empty();
            }
            case "json_schema" -> {
            }
            default -> {
                return invalid("Invalid value: '" + type + "'. Supported values are: 'text', 'json_object', and "
                        + "'json_schema'.", "response_format.type", "invalid_value");
            }
        }
        var spec = format.path("json_schema");
        if (!spec.isObject()) {
            return invalid("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema",
                           "missing_required_parameter");
        }
        var name = spec.path("name").asText("");
        if (name.isEmpty()) {
            return invalid("Missing required parameter: 'response_format.json_schema.name'.",
                           "response_format.json_schema.name", "missing_required_parameter");
        }
        if (!name.matches("[a-zA-Z0-9_-]{1,64}")) {
            return invalid("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string "
                    + "that matches the pattern '^[a-zA-Z0-9_-]+$'.", "response_format.json_schema.name", "invalid_value");
        }
        var schema = spec.path("schema");
        if (!spec.path("strict").asBoolean(false)) {
            return Optional.empty();
        }
        if (!schema.path("type").asText("").equals("object")) {
            return invalid("Invalid schema for response_format '" + name + "': schema must be a JSON Schema of 'type: "
                    + "\"object\"', got 'type: \"" + schema.path("type").asText("None") + "\"'.", "response_format",
                    "invalid_json_schema");
        }
        return strict(name, schema, "()");
    }

    private static Optional<FakeLlmServer.Refusal> strict(String name, JsonNode schema, String context) {
        if (schema.has("properties") || schema.path("type").asText("").equals("object")) {
            if (!schema.path("additionalProperties").isBoolean() || schema.path("additionalProperties").asBoolean()) {
                return invalid("Invalid schema for response_format '" + name + "': In context=" + context
                        + ", 'additionalProperties' is required to be supplied and to be false.", "response_format",
                        "invalid_json_schema");
            }
            var required = new LinkedHashSet<String>();
            schema.path("required").forEach(r -> required.add(r.asText()));
            var keys = schema.path("properties").fieldNames();
            while (keys.hasNext()) {
                var key = keys.next();
                if (!required.contains(key)) {
                    return invalid("Invalid schema for response_format '" + name + "': In context=" + context + ", 'required' "
                            + "is required to be supplied and to be an array including every key in properties. Missing '"
                            + key + "'.", "response_format", "invalid_json_schema");
                }
                var inner = strict(name, schema.path("properties").path(key), "('properties', '" + key + "')");
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        if (schema.has("items")) {
            return strict(name, schema.path("items"), context.replace(")", ", 'items')").replace("(, ", "("));
        }
        return Optional.empty();
    }

    /** The problems of a history, for tests: empty when the API would take it. */
    public static List<String> problems(JsonNode body) {
        var out = new ArrayList<String>();
        check(body).ifPresent(r -> out.add(r.body()));
        return out;
    }

    private static boolean reasoning(String model) {
        return model.matches("o\\d.*") || model.startsWith("gpt-6") || (model.startsWith("gpt-5") && !model.startsWith("gpt-5-chat"));
    }

    private static Optional<FakeLlmServer.Refusal> messages(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
                    + "empty array instead.", "messages", "empty_array");
        }
        var pending = new LinkedHashSet<String>(); // tool calls not answered yet
        boolean answering = false;                  // inside the run of tool messages after a tool_calls message
        for (int i = 0; i < messages.size(); i++) {
            var message = messages.get(i);
            var role = message.path("role").asText("");
            if (!role.equals("tool") && !pending.isEmpty()) {
                return invalid("An assistant message with 'tool_calls' must be followed by tool messages responding "
                        + "to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
                        + String.join(", ", pending), "messages.[" + i + "].role", null);
            }
            if (!role.equals("tool")) {
                answering = false;
            }
            var content = message.path("content");
            switch (role) {
                case "system", "developer", "user" -> {
                    if (!content.isTextual() || content.asText().isEmpty()) {
                        return invalid("Invalid value for 'content': expected a non-empty string.",
                                       "messages.[" + i + "].content", null);
                    }
                }
                case "assistant" -> {
                    var calls = message.path("tool_calls");
                    boolean hasCalls = calls.isArray() && !calls.isEmpty();
                    if (!hasCalls && (!content.isTextual() || content.asText().isEmpty())) {
                        return invalid("Invalid value for 'content': expected a string, got null.",
                                       "messages.[" + i + "].content", null);
                    }
                    if (hasCalls) {
                        for (var call : calls) {
                            if (call.path("id").asText("").isEmpty() || !call.path("type").asText().equals("function")
                                || call.path("function").path("name").asText("").isEmpty()) {
                                return invalid("Missing required parameter: 'messages[" + i + "].tool_calls[0].id'.",
                                               "messages.[" + i + "].tool_calls", "missing_required_parameter");
                            }
                            pending.add(call.path("id").asText());
                        }
                        answering = true;
                    }
                }
                case "tool" -> {
                    var id = message.path("tool_call_id").asText("");
                    if (!answering || !pending.remove(id)) {
                        return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                                + "message with 'tool_calls'.", "messages.[" + i + "].role", null);
                    }
                }
                default -> {
                    return invalid("Invalid value: '" + role + "'. Supported values are: 'system', 'assistant', 'user', "
                            + "'function', 'tool', and 'developer'.", "messages[" + i + "].role", "invalid_value");
                }
            }
        }
        if (!pending.isEmpty()) {
            return invalid("An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                    + "'tool_call_id'. The following tool_call_ids did not have response messages: "
                    + String.join(", ", pending), "messages", null);
        }
        return Optional.empty();
    }

    private static Optional<FakeLlmServer.Refusal> invalid(String message, String param, String code) {
        return Optional.of(new FakeLlmServer.Refusal(400, error(message, "invalid_request_error", param, code)));
    }

    private static String error(String message, String type, String param, String code) {
        var root = FakeLlmServer.JSON.createObjectNode();
        var error = root.putObject("error").put("message", message).put("type", type);
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param);
        }
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return root.toString();
    }
}
