package dev.dialtone.flow;

import dev.dialtone.plugin.CallActions;
import dev.dialtone.plugin.Tool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The tools written in Java: {@code end_call}, {@code transfer_call} (to the flow's transfer_to
 * number) and one {@code goto_<node>} per node transition. They only post an action to the call's
 * {@link CallActions}; the conversation carries it out after the tool returns.
 */
final class BuiltinTools {
    static final String END_CALL = "end_call";
    static final String TRANSFER_CALL = "transfer_call";
    static final String TRANSITION_PREFIX = "goto_";
    static final Set<String> NAMES = Set.of(END_CALL, TRANSFER_CALL);
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

    static String transitionName(String target) {
        return TRANSITION_PREFIX + target;
    }

    static Tool transition(String target, String condition) {
        return new ActionTool(transitionName(target),
                "Move the conversation to the step '" + target + "'. Call this when: " + condition,
                "{\"type\":\"object\",\"properties\":{}}", actions -> actions.goTo(target), "{\"moved_to\":\"" + target + "\"}");
    }
}
