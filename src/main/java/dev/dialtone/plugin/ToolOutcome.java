package dev.dialtone.plugin;

import dev.dialtone.net.Json;

/** What one tool invocation produced: a JSON result, or an error message meant for the LLM. */
public sealed interface ToolOutcome {

    /** The text to hand back to the model as the tool result. */
    String forModel();

    /** A successful result; {@code json} is one JSON value. */
    record Result(String json) implements ToolOutcome {
        @Override
        public String forModel() {
            return json;
        }
    }

    /** A failed invocation; {@code message} names the tool and says what went wrong, without secrets. */
    record Failure(String message) implements ToolOutcome {
        @Override
        public String forModel() {
            return "{\"error\":" + Json.quote(message) + "}";
        }
    }
}
