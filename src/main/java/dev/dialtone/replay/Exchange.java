package dev.dialtone.replay;

import java.util.List;
import java.util.Map;

/**
 * What one side of a replay did in answer to one caller step (or to the call connecting, when
 * {@code step} is null): the agent's words, the tools it called, the nodes it entered, the call's
 * state after it ({@code null} on the stored side: calls do not record state) and whether the call
 * ended there.
 */
public record Exchange(Step step, String agent, List<ToolLine> tools, List<String> nodes, Map<String, String> state,
                       boolean ended) {
    public Exchange {
        agent = agent == null ? "" : agent;
        tools = List.copyOf(tools);
        nodes = List.copyOf(nodes);
        state = state == null ? null : Map.copyOf(state);
    }

    /** One tool call: its name, arguments (compact JSON), and result or error. */
    public record ToolLine(String name, String arguments, String result, boolean error) {
        /** What two sides are compared on: the name and the arguments. */
        String call() {
            return name + " " + arguments;
        }
    }
}
