package dev.dialtone.flow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A check of files that live in the flows folder beside the flows without being flows (flow tests),
 * which {@code bin/dialtone validate} runs with the flows. Implemented by a package above this one
 * (flow depends on nothing that tests flows), and handed in by {@code Main}.
 */
@FunctionalInterface
public interface CompanionCheck {
    /** None: only flows and plugins are checked. */
    CompanionCheck NONE = (flowsDir, versions) -> new Result(List.of(), "");

    /** The problems found, each with file:line, and what was checked for the summary line (e.g. "3 flow test files"; empty: nothing). */
    record Result(List<Problem> problems, String summary) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    /**
     * @param versions the flows as loaded, by name; empty when the set has errors (the companion
     *                 files are then checked on their own)
     */
    Result check(Path flowsDir, Map<String, FlowVersion> versions);
}
