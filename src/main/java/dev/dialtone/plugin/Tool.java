package dev.dialtone.plugin;

import java.time.Duration;
import java.util.Optional;

/**
 * A tool the LLM can call during a conversation: a JavaScript plugin or a built-in written in Java.
 * Implementations never throw from {@link #invoke}: every failure becomes a {@link ToolOutcome.Failure}
 * whose message is fit to show the model. {@code invoke} blocks for at most about {@link #timeout()} (plus a few
 * milliseconds to start a context when every warm one is busy).
 */
public interface Tool {

    /** The name the LLM calls, e.g. {@code menu_price}; matches {@code ^[a-zA-Z0-9_-]{1,64}$}. */
    String name();

    /** What the tool does, for the LLM. */
    String description();

    /** JSON Schema of the arguments object, as JSON text. */
    String parametersSchema();

    /** A filler line spoken while the tool runs, if any. */
    Optional<String> say();

    /** The most time one invocation may take. */
    Duration timeout();

    /** Runs the tool with the LLM's arguments (a JSON object as text). Never throws. */
    ToolOutcome invoke(String argumentsJson, ToolCallContext context);
}
