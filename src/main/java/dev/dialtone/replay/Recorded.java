package dev.dialtone.replay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.plugin.DelegatingTool;
import dev.dialtone.plugin.PluginTool;
import dev.dialtone.plugin.Tool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;

/**
 * A flow version as a replay runs it: its plugins do not run (a replay must not place the order or
 * send the text message again); each answers with what the stored call's call to it with the same
 * arguments returned, in the order they were made, or with an error saying there is no recording.
 * Built-in tools (end_call, transfer_call, node transitions) run as they are: they act only on the
 * text call. The version keeps its hash, prompt and tool descriptions, so the LLM sees what a call sees.
 */
final class Recorded {
    static final String NO_RECORDING = "the stored call has no result of this tool for these arguments (a replay does not run plugins)";

    private Recorded() {
    }

    static FlowVersion of(FlowVersion version, List<Exchange> original) {
        var results = new HashMap<String, ArrayDeque<Exchange.ToolLine>>();
        original.forEach(e -> e.tools().forEach(t -> results.computeIfAbsent(t.call(), k -> new ArrayDeque<>()).add(t)));
        var tools = new LinkedHashMap<String, Tool>();
        version.tools().forEach((name, tool) -> tools.put(name, tool instanceof PluginTool ? new Answer(tool, results) : tool));
        return new FlowVersion(version.flow(), tools, version.transitions(), version.hash(), version.loadedAt(), version.text());
    }

    /** A plugin as the LLM sees it, answering from the stored call. */
    private static final class Answer extends DelegatingTool {
        private final Map<String, ArrayDeque<Exchange.ToolLine>> results; // shared by the version's tools, guarded by itself

        Answer(Tool tool, Map<String, ArrayDeque<Exchange.ToolLine>> results) {
            super(tool);
            this.results = results;
        }

        public ToolOutcome invoke(String argumentsJson, ToolCallContext context) {
            Exchange.ToolLine recorded;
            synchronized (results) { // tools may run on their own threads
                var queue = results.get(tool.name() + " " + Arguments.compact(argumentsJson));
                recorded = queue == null ? null : queue.poll();
            }
            if (recorded == null) {
                return new ToolOutcome.Failure("tool " + tool.name() + ": " + NO_RECORDING);
            }
            return recorded.error() ? new ToolOutcome.Failure(recorded.result()) : new ToolOutcome.Result(recorded.result());
        }
    }
}
