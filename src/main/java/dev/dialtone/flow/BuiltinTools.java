package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dialtone.net.Json;
import dev.dialtone.plugin.CallActions;
import dev.dialtone.plugin.Tool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The tools written in Java: {@code end_call}, {@code transfer_call} (to the flow's transfer_to
 * number), {@code collect_digits} and one {@code goto_<node>} per node transition. They only post an action to the call's
 * {@link CallActions}; the conversation carries it out after the tool returns.
 */
final class BuiltinTools {
    static final String END_CALL = "end_call";
    static final String TRANSFER_CALL = "transfer_call";
    static final String TRANSITION_PREFIX = "goto_";
    static final String COLLECT_DIGITS = "collect_digits";
    static final Set<String> NAMES = Set.of(END_CALL, TRANSFER_CALL, COLLECT_DIGITS);
    private static final String REASON_SCHEMA = "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\","
            + "\"description\":\"Why, in a few words\"}}}";

    private BuiltinTools() {
    }

    /** A tool whose only effect is one action on the call. */
    private record ActionTool(String name, String description, String parametersSchema, Consumer<CallActions> action,
                              String resultJson) implements Tool {
        @Override
        public Optional<String> say() {
            return Optional.empty();
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        public ToolOutcome invoke(String argumentsJson, ToolCallContext context) {
            try {
                action.accept(context.actions());
                return new ToolOutcome.Result(resultJson);
            } catch (RuntimeException e) {
                return new ToolOutcome.Failure("tool " + name + " failed: " + e.getClass().getSimpleName());
            }
        }
    }

    static Tool endCall() {
        return new ActionTool(END_CALL,
                "End the phone call. Say goodbye first; the call ends once you have finished speaking.",
                REASON_SCHEMA, CallActions::hangup, "{\"ending\":true}");
    }

    static Tool transferCall(String number) {
        return new ActionTool(TRANSFER_CALL,
                "Transfer the caller to a member of staff. Tell the caller you are transferring them first.",
                REASON_SCHEMA, actions -> actions.transfer(number), "{\"transferring\":true}");
    }

    /**
     * Asks the caller to key in (or say) digits, which go to the call's state masked: the LLM hears
     * only that they came and their last four. Arguments are checked here, since no schema checker
     * stands between the LLM and a built-in tool.
     */
    static Tool collectDigits() {
        return new Tool() {
            public String name() {
                return COLLECT_DIGITS;
            }

            public String description() {
                return "Ask the caller to key in a number on their phone's keypad (or say it), such as an account or "
                       + "member number. The digits are stored for the other tools under 'into'; you will only hear "
                       + "their last four. Do not ask for the number yourself when you give a prompt.";
            }

            public String parametersSchema() {
                return COLLECT_SCHEMA;
            }

            public Optional<String> say() {
                return Optional.empty();
            }

            public Duration timeout() {
                return Duration.ofSeconds(1);
            }

            public ToolOutcome invoke(String argumentsJson, ToolCallContext context) {
                JsonNode args;
                try {
                    args = Json.read(argumentsJson);
                } catch (JsonProcessingException e) {
                    return new ToolOutcome.Failure("arguments are not JSON");
                }
                var into = args.path("into").asText("");
                int min = args.path("min_digits").asInt(1);
                int max = args.path("max_digits").asInt(Collect.MAX_DIGITS);
                if (!STATE_KEY.matcher(into).matches()) {
                    return new ToolOutcome.Failure("into must be a name of letters, digits and _ (at most 64)");
                }
                if (min < 1 || max < min || max > Collect.MAX_DIGITS) {
                    return new ToolOutcome.Failure("min_digits and max_digits must be 1 to " + Collect.MAX_DIGITS
                                                   + ", min_digits the smaller");
                }
                var prompt = args.path("prompt").asText("");
                context.actions().collectDigits(into, min, max, prompt.length() > 500 ? prompt.substring(0, 500) : prompt);
                return new ToolOutcome.Result("{\"collecting\":true}");
            }
        };
    }

    private static final Pattern STATE_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final String COLLECT_SCHEMA = "{\"type\":\"object\",\"required\":[\"into\"],\"properties\":{"
            + "\"into\":{\"type\":\"string\",\"description\":\"Name to store the digits under, e.g. account_number\"},"
            + "\"min_digits\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":32},"
            + "\"max_digits\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":32},"
            + "\"prompt\":{\"type\":\"string\",\"description\":\"What to say to ask for the digits\"}}}";

    static String transitionName(String target) {
        return TRANSITION_PREFIX + target;
    }

    static Tool transition(String target, String condition) {
        return new ActionTool(transitionName(target),
                "Move the conversation to the step '" + target + "'. Call this when: " + condition,
                "{\"type\":\"object\",\"properties\":{}}", actions -> actions.goTo(target), "{\"moved_to\":\"" + target + "\"}");
    }
}
