package dev.dialtone.flowtest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.plugin.DelegatingTool;
import dev.dialtone.plugin.PluginFixtures;
import dev.dialtone.plugin.Tool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;

/**
 * A flow version as one case runs it: every tool is the real one (the plugin itself, in its sandbox)
 * but run with the case's fixtures (its http answers and plugin settings), except the tools the case
 * replaces with a fixed result or error, whose plugin does not run at all. The version keeps its
 * hash and everything else: the conversation cannot tell it from the live one.
 */
final class StandIns {
    private StandIns() {
    }

    static FlowVersion of(FlowVersion version, FlowTestFile.TestCase testCase, CaseHttp http) {
        var fixtures = new PluginFixtures(http, testCase.config());
        var tools = new LinkedHashMap<String, Tool>();
        version.tools().forEach((name, tool) -> tools.put(name, Optional.ofNullable(testCase.tools().get(name))
                .<Tool>map(standIn -> new Fixed(tool, standIn))
                .orElseGet(() -> new WithFixtures(tool, fixtures))));
        return new FlowVersion(version.flow(), tools, version.transitions(), version.hash(), version.loadedAt());
    }

    /** A tool as the LLM sees it (name, description, parameters, filler, time limit); what it does is the subclass's. */
    private static final class WithFixtures extends DelegatingTool {
        private final PluginFixtures fixtures;

        WithFixtures(Tool tool, PluginFixtures fixtures) {
            super(tool);
            this.fixtures = fixtures;
        }

        public ToolOutcome invoke(String argumentsJson, ToolCallContext context) {
            return tool.invoke(argumentsJson, context.withFixtures(fixtures));
        }
    }

    /** The tool with the case's fixed outcome in place of its run. */
    private static final class Fixed extends DelegatingTool {
        private final FlowTestFile.ToolStandIn standIn;

        Fixed(Tool tool, FlowTestFile.ToolStandIn standIn) {
            super(tool);
            this.standIn = standIn;
        }

        public ToolOutcome invoke(String argumentsJson, ToolCallContext context) {
            return switch (standIn) {
                case FlowTestFile.ToolStandIn.Result result -> new ToolOutcome.Result(result.json());
                case FlowTestFile.ToolStandIn.Error error -> new ToolOutcome.Failure("tool " + tool.name() + " failed: " + error.message());
            };
        }
    }
}
