package dev.dialtone.flow;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /api/flows} shows for one flow: the live version (absent for a file that has never
 * loaded), the errors of the last rejected reload that concern it ({@code file:line: reason}, one
 * per line; a failing gated test among them), and warnings such as a provider without an API key.
 * A draft ({@code draft}, named {@code <flow>.draft}) has its own entry after its flow's, with the
 * callers it answers; {@code tests} is what the flow's gate and live-LLM cases last reported.
 */
public record FlowStatus(String name, Path file, List<String> numbers, boolean isDefault, Optional<String> version,
                         Optional<Instant> loadedAt, Optional<String> lastError, List<String> warnings, boolean draft,
                         List<String> stagingCallers, Optional<String> tests) {
    public FlowStatus {
        numbers = List.copyOf(numbers);
        warnings = List.copyOf(warnings);
        stagingCallers = List.copyOf(stagingCallers);
    }
}
