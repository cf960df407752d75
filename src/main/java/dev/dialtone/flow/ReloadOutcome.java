package dev.dialtone.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of one reload: whether the new set went live, every problem found (errors and
 * warnings, each {@code file:line: reason}), which flows got a new version or went away, and how
 * long loading and checking took.
 */
public record ReloadOutcome(boolean applied, List<Problem> problems, List<String> changed, Instant at, Duration took) {
    public ReloadOutcome {
        problems = List.copyOf(problems);
        changed = List.copyOf(changed);
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }
}
