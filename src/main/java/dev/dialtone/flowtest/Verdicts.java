package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.dialtone.conversation.Turn;
import dev.dialtone.net.Json;

/**
 * Judges a case's checks (all but rubrics, which need the LLM: {@link Judge}) against what the call
 * did, each to a failure message that says what was expected and what happened instead.
 */
final class Verdicts {
    private static final int QUOTE_CHARS = 300;

    /**
     * What a check looks at: the tool calls and the agent's words of a turn's reply (or of the whole
     * call), and the call as it stands after it.
     */
    record Observed(List<Turn.ToolUse> tools, String said, Optional<String> node, Map<String, String> state, boolean ended,
                    Optional<String> endReason, Optional<String> transferredTo) {
        Observed {
            tools = List.copyOf(tools);
            state = Map.copyOf(state);
        }
    }

    private Verdicts() {
    }

    /** Why the check fails, or empty when it holds. Rubrics hold here: the judge decides them. */
    static Optional<String> failure(Check check, Observed seen) {
        return switch (check) {
            case Check.Called called -> seen.tools().stream().anyMatch(t -> matches(called, t)) ? Optional.empty()
                    : Optional.of("expected a call of " + called.tool() + describe(called) + "; " + calls(seen.tools()));
            case Check.NotCalled not -> seen.tools().stream().filter(t -> t.name().equals(not.tool())).findFirst()
                    .map(t -> "expected no call of " + not.tool() + "; it was called with " + t.arguments());
            case Check.InNode node -> seen.node().equals(Optional.of(node.node())) ? Optional.empty()
                    : Optional.of("expected the call in node " + node.node() + "; it is in " + seen.node().orElse("no node"));
            case Check.StateIs state -> {
                var value = Optional.ofNullable(seen.state().get(state.key()));
                yield value.equals(Optional.of(state.value())) ? Optional.empty()
                        : Optional.of("expected state " + state.key() + " to be \"" + state.value() + "\"; "
                                      + value.map(v -> "it is \"" + v + "\"").orElse("it is not set"));
            }
            case Check.Ended ended -> ended.ended() == seen.ended() ? Optional.empty()
                    : Optional.of(ended.ended() ? "expected the call to have ended; it goes on"
                                  : "expected the call to go on; it ended (" + seen.endReason().orElse("") + ")");
            case Check.Transferred transferred -> seen.transferredTo().equals(Optional.of(transferred.number())) ? Optional.empty()
                    : Optional.of("expected a transfer to " + transferred.number() + "; "
                                  + seen.transferredTo().map(n -> "the call went to " + n).orElse("there was none"));
            case Check.SaidContains contains -> lower(seen.said()).contains(lower(contains.text())) ? Optional.empty()
                    : Optional.of("expected the agent to say \"" + contains.text() + "\"; " + quote(seen.said()));
            case Check.SaidNot not -> !lower(seen.said()).contains(lower(not.text())) ? Optional.empty()
                    : Optional.of("expected the agent not to say \"" + not.text() + "\"; " + quote(seen.said()));
            case Check.SaidMatches matches -> matches.pattern().matcher(seen.said()).find() ? Optional.empty()
                    : Optional.of("expected what the agent said to match /" + matches.pattern() + "/; " + quote(seen.said()));
            case Check.Rubric rubric -> Optional.empty();
        };
    }

    /** Whether a tool use is the call a check asks for: same tool, the arguments given, the patterns found. */
    static boolean matches(Check.Called called, Turn.ToolUse use) {
        if (!use.name().equals(called.tool())) {
            return false;
        }
        JsonNode arguments;
        try {
            arguments = Json.read(use.arguments());
        } catch (JsonProcessingException e) {
            return false;
        }
        if (called.args().isPresent() && !subset(called.args().get(), arguments)) {
            return false;
        }
        for (var entry : called.argsMatch().entrySet()) {
            var value = arguments.path(entry.getKey());
            if (value.isMissingNode() || !entry.getValue().matcher(value.isTextual() ? value.textValue() : value.toString()).find()) {
                return false;
            }
        }
        return true;
    }

    /** Whether every field of {@code expected} is in {@code actual} with an equal value (objects compared the same way, numbers by value). */
    static boolean subset(JsonNode expected, JsonNode actual) {
        if (expected.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            for (var it = expected.fields(); it.hasNext(); ) {
                var field = it.next();
                if (!actual.has(field.getKey()) || !subset(field.getValue(), actual.get(field.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return expected.equals(actual);
    }

    private static String describe(Check.Called called) {
        var out = new StringBuilder();
        called.args().ifPresent(a -> out.append(" with ").append(Json.write(a)));
        if (!called.argsMatch().isEmpty()) {
            out.append(called.args().isPresent() ? " and " : " with ");
            out.append(String.join(", ", called.argsMatch().entrySet().stream()
                    .map(e -> e.getKey() + " matching /" + e.getValue() + "/").toList()));
        }
        return out.toString();
    }

    private static String calls(List<Turn.ToolUse> tools) {
        return tools.isEmpty() ? "no tool was called"
                : "the calls were: " + String.join(", ", tools.stream().map(t -> t.name() + " " + t.arguments()).toList());
    }

    private static String quote(String said) {
        if (said.isBlank()) {
            return "the agent said nothing";
        }
        return "it said: \"" + (said.length() > QUOTE_CHARS ? said.substring(0, QUOTE_CHARS) + "..." : said) + "\"";
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
