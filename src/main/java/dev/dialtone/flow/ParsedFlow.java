package dev.dialtone.flow;

import java.util.List;
import java.util.Map;

/**
 * A flow as read from one file, with the lines of the things checked across files (numbers, the
 * default flag, tool references, providers), so those problems can point at the right line too.
 */
record ParsedFlow(Flow flow, int nameLine, Map<String, Integer> numberLines, int defaultLine,
                  List<ToolRef> toolRefs, Map<String, Integer> providerLines) {

    /** A tool named at a line of the flow file. */
    record ToolRef(String name, int line) {
    }
}
