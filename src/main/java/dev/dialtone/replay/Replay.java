package dev.dialtone.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stored call beside its replay on another flow version, one row per caller step (row 0 is the
 * call connecting). Each row names what differs between the two sides: {@code agent} (the words,
 * spacing aside), {@code tools} (names and arguments, in order), {@code nodes} (entered), {@code ended}
 * (one side's call ended there), {@code missing} (the replay stopped before this step). Stored calls
 * do not record state, so state is the replay's alone, with the keys each step changed.
 *
 * @param problem why the replay stopped early, or null
 */
public record Replay(String callSid, Side original, Side replay, List<Row> rows, String problem) {
    public Replay {
        rows = List.copyOf(rows);
    }

    /** One side: which flow and version, and how it was chosen ({@code stored call}, {@code live}, {@code draft}, {@code stored version}). */
    public record Side(String flow, String version, String label) {
    }

    /** @param replay null when the replay stopped before this step */
    public record Row(int index, String step, Exchange original, Exchange replay, List<String> differences,
                      List<String> stateChanged) {
        public Row {
            differences = List.copyOf(differences);
            stateChanged = List.copyOf(stateChanged);
        }
    }

    /** Whether any row differs. */
    public boolean differs() {
        return rows.stream().anyMatch(r -> !r.differences().isEmpty());
    }

    static List<Row> compare(List<Exchange> original, List<Exchange> replayed) {
        var rows = new ArrayList<Row>();
        Map<String, String> before = Map.of();
        for (int i = 0; i < original.size(); i++) {
            var o = original.get(i);
            var r = i < replayed.size() ? replayed.get(i) : null;
            var step = o.step() == null ? "call connects" : o.step().describe();
            var differences = new ArrayList<String>();
            var changed = new ArrayList<String>();
            if (r == null) {
                differences.add("missing");
            } else {
                if (!words(o.agent()).equals(words(r.agent()))) {
                    differences.add("agent");
                }
                if (!o.tools().stream().map(Exchange.ToolLine::call).toList()
                        .equals(r.tools().stream().map(Exchange.ToolLine::call).toList())) {
                    differences.add("tools");
                }
                if (!o.nodes().equals(r.nodes())) {
                    differences.add("nodes");
                }
                boolean originalEnded = i == original.size() - 1 && i > 0;
                if (r.ended() && !originalEnded) {
                    differences.add("ended");
                }
                var now = r.state();
                var seen = before;
                now.forEach((k, v) -> {
                    if (!Objects.equals(seen.get(k), v)) {
                        changed.add(k);
                    }
                });
                seen.keySet().stream().filter(k -> !now.containsKey(k)).forEach(changed::add);
                before = now;
            }
            rows.add(new Row(i, step, o, r, differences, changed.stream().sorted().toList()));
        }
        return rows;
    }

    private static String words(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
