package dev.dialtone.plugin;

import java.time.Duration;
import java.util.Optional;

/**
 * A tool that looks to the LLM exactly like another (name, description, schema, filler line,
 * timeout) and answers its own way: flow tests' stand-ins and replays' recorded answers.
 */
public abstract class DelegatingTool implements Tool {
    protected final Tool tool;

    protected DelegatingTool(Tool tool) {
        this.tool = tool;
    }

    @Override
    public String name() {
        return tool.name();
    }

    @Override
    public String description() {
        return tool.description();
    }

    @Override
    public String parametersSchema() {
        return tool.parametersSchema();
    }

    @Override
    public Optional<String> say() {
        return tool.say();
    }

    @Override
    public Duration timeout() {
        return tool.timeout();
    }
}
