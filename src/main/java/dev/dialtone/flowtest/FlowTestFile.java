package dev.dialtone.flowtest;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One flow's test file ({@code flows/<flow>.test.yaml}) as read and checked: its cases, each with
 * what it needs filled in from the file's defaults. Immutable.
 *
 * @param stem the name the flow file and its tests share ({@code luigis})
 */
public record FlowTestFile(Path file, String stem, List<TestCase> cases) {
    public FlowTestFile {
        cases = List.copyOf(cases);
    }

    /**
     * One case: a short call from its start to the end of its turns.
     *
     * @param line   where its name is, for messages
     * @param start  the node it starts in (empty: the flow's start, with the greeting)
     * @param state  call state set before it starts
     * @param config plugin settings over config.yaml's, per plugin
     * @param http   answers to plugins' requests, by "METHOD URL" (the file's, then the case's)
     * @param tools  tools whose outcome the case fixes, by name
     * @param checks what must hold at the end of the call
     */
    public record TestCase(String name, int line, String caller, Instant now, Optional<String> start, Map<String, String> state,
                           Map<String, Map<String, Object>> config, Map<String, HttpAnswer> http, Map<String, ToolStandIn> tools,
                           List<CallerTurn> turns, List<Check> checks) {
        public TestCase {
            state = Map.copyOf(state);
            config = Map.copyOf(config);
            http = Map.copyOf(http);
            tools = Map.copyOf(tools);
            turns = List.copyOf(turns);
            checks = List.copyOf(checks);
        }
    }

    /** What the caller does in one turn, and what must hold after the agent's answer to it. */
    public sealed interface CallerTurn {
        int line();

        List<Check> checks();

        /** How the transcript shows the turn. */
        String describe();

        /** The caller says something. */
        record Says(String text, int line, List<Check> checks) implements CallerTurn {
            public String describe() {
                return "caller: " + text;
            }
        }

        /** The caller presses keys. */
        record Keys(String keys, int line, List<Check> checks) implements CallerTurn {
            public String describe() {
                return "caller presses " + keys;
            }
        }

        /** The caller stays silent for a while. */
        record Waits(Duration time, int line, List<Check> checks) implements CallerTurn {
            public String describe() {
                return "caller stays silent for " + time.toMillis() / 1000.0 + " s";
            }
        }
    }

    /** A tool's fixed outcome in a case: the plugin does not run. */
    public sealed interface ToolStandIn {
        /** The tool returns this JSON. */
        record Result(String json) implements ToolStandIn {
        }

        /** The tool fails with this message. */
        record Error(String message) implements ToolStandIn {
        }
    }

    /** The answer a plugin gets to one request. */
    public record HttpAnswer(int status, Map<String, String> headers, String body) {
        public HttpAnswer {
            headers = Map.copyOf(headers);
        }
    }
}
