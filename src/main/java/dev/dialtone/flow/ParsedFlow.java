package dev.dialtone.flow;

import java.util.List;
import java.util.Map;

/**
 * A flow as read from one file, with the lines of the things checked across files or against the
 * date (numbers, the default flag, tool references, providers, the llm model), so those problems can
 * point at the right line too. {@code llmModelLine} is 0 when the flow names no llm model; {@code testsLine}
 * (of {@code tests: gate}) 0 when it has no gate.
 */
record ParsedFlow(Flow flow, int nameLine, Map<String, Integer> numberLines, int defaultLine,
                  List<ToolRef> toolRefs, Map<String, Integer> providerLines, int llmModelLine, int testsLine) {
    /** In {@link #providerLines}: the block names an unknown provider (already an error; no key warning). */
    static final int INVALID = -1;

    /** A tool named at a line of the flow file. */
    record ToolRef(String name, int line) {
    }
}
