package dev.dialtone.flowtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one test case went: passed, or its failures, each at the line of the test file that states
 * what failed; and the call's readable transcript (caller turns, agent lines, tool calls with their
 * arguments and results, nodes).
 */
public record CaseResult(String name, Path file, int line, List<Failure> failures, String transcript, Duration took) {
    public CaseResult {
        failures = List.copyOf(failures);
    }

    /** One thing that did not hold, at its line. */
    public record Failure(int line, String message) {
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    /** The failures as {@code file:line: message} lines. */
    public List<String> failureLines() {
        return failures.stream().map(f -> file + ":" + f.line() + ": " + f.message()).toList();
    }
}
