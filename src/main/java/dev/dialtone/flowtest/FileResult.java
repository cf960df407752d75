package dev.dialtone.flowtest;

import java.nio.file.Path;
import java.util.List;

/**
 * How one test file went: its cases' results, or the problems that kept it from running (the file
 * does not validate, its flow did not load, its cassette cannot be read), each as {@code file:line: reason}.
 */
public record FileResult(Path file, String flow, List<CaseResult> cases, List<String> problems) {
    public FileResult {
        cases = List.copyOf(cases);
        problems = List.copyOf(problems);
    }

    public boolean passed() {
        return problems.isEmpty() && cases.stream().allMatch(CaseResult::passed);
    }

    public long failed() {
        return cases.stream().filter(c -> !c.passed()).count();
    }
}
