package dev.dialtone.flow;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /api/flows} shows for one flow: the live version (absent for a file that has never
 * loaded), the errors of the last rejected reload that concern it ({@code file:line: reason}, one
 * per line), and warnings such as a provider without an API key.
 */
public record FlowStatus(String name, Path file, List<String> numbers, boolean isDefault, Optional<String> version,
                         Optional<Instant> loadedAt, Optional<String> lastError, List<String> warnings) {
    public FlowStatus {
        numbers = List.copyOf(numbers);
        warnings = List.copyOf(warnings);
    }
}
