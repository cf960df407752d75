package dev.dialtone.store;

import com.github.difflib.DiffUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The line differences between two stored versions of a flow, file by file (matched by path), as
 * hunks with {@link #CONTEXT} unchanged lines around each change; longer unchanged runs fold to
 * one {@link Kind#SKIP} line saying how many lines they hold.
 */
public record VersionDiff(String from, String to, List<FileDiff> files) {
    /** Unchanged lines kept before and after each change. */
    public static final int CONTEXT = 3;

    public VersionDiff {
        files = List.copyOf(files);
    }

    public enum Kind { SAME, REMOVED, ADDED, SKIP }

    public enum FileStatus { SAME, CHANGED, ADDED, REMOVED }

    /**
     * One line of a file's diff: its number in the old and the new file (0 where it has none), its
     * text; for {@link Kind#SKIP}, the text says how many unchanged lines are folded.
     */
    public record Line(Kind kind, int oldNumber, int newNumber, String text) {
    }

    public record FileDiff(String path, FileStatus status, List<Line> lines) {
        public FileDiff {
            lines = List.copyOf(lines);
        }
    }

    /** Whether any file differs. */
    public boolean changed() {
        return files.stream().anyMatch(f -> f.status() != FileStatus.SAME);
    }

    /** The differences from {@code a} to {@code b}: a's files in order, then b's new ones. */
    public static VersionDiff between(StoredVersion a, StoredVersion b) {
        var before = texts(a);
        var after = texts(b);
        var out = new ArrayList<FileDiff>();
        before.forEach((path, text) -> {
            var other = after.get(path);
            if (other == null) {
                out.add(new FileDiff(path, FileStatus.REMOVED, lines(text, "")));
            } else {
                out.add(new FileDiff(path, text.equals(other) ? FileStatus.SAME : FileStatus.CHANGED,
                        text.equals(other) ? List.of() : lines(text, other)));
            }
        });
        after.forEach((path, text) -> {
            if (!before.containsKey(path)) {
                out.add(new FileDiff(path, FileStatus.ADDED, lines("", text)));
            }
        });
        return new VersionDiff(a.version(), b.version(), out);
    }

    private static Map<String, String> texts(StoredVersion v) {
        var out = new LinkedHashMap<String, String>();
        v.files().forEach(f -> out.put(f.path(), f.text()));
        return out;
    }

    /** Every line of the two texts marked same, removed or added, then long unchanged runs folded. */
    static List<Line> lines(String before, String after) {
        var old = split(before);
        var now = split(after);
        var all = new ArrayList<Line>();
        int i = 0;
        int j = 0;
        for (var delta : DiffUtils.diff(old, now).getDeltas()) {
            int oldAt = delta.getSource().getPosition();
            int newAt = delta.getTarget().getPosition();
            while (i < oldAt) {
                all.add(new Line(Kind.SAME, i + 1, j + 1, old.get(i)));
                i++;
                j++;
            }
            for (var text : delta.getSource().getLines()) {
                all.add(new Line(Kind.REMOVED, ++i, 0, text));
            }
            for (var text : delta.getTarget().getLines()) {
                all.add(new Line(Kind.ADDED, 0, ++j, text));
            }
            j = Math.max(j, newAt + delta.getTarget().size());
        }
        while (i < old.size()) {
            all.add(new Line(Kind.SAME, i + 1, j + 1, old.get(i)));
            i++;
            j++;
        }
        return fold(all);
    }

    private static List<String> split(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\r?\n", -1));
    }

    private static List<Line> fold(List<Line> all) {
        var out = new ArrayList<Line>();
        int k = 0;
        while (k < all.size()) {
            if (all.get(k).kind() != Kind.SAME) {
                out.add(all.get(k++));
                continue;
            }
            int end = k;
            while (end < all.size() && all.get(end).kind() == Kind.SAME) {
                end++;
            }
            int keepBefore = k == 0 ? 0 : CONTEXT;              // after a change
            int keepAfter = end == all.size() ? 0 : CONTEXT;   // before a change
            if (end - k <= keepBefore + keepAfter + 1) {
                out.addAll(all.subList(k, end));
            } else {
                out.addAll(all.subList(k, k + keepBefore));
                int folded = end - k - keepBefore - keepAfter;
                var first = all.get(k + keepBefore);
                out.add(new Line(Kind.SKIP, first.oldNumber(), first.newNumber(), folded + " unchanged lines"));
                out.addAll(all.subList(end - keepAfter, end));
            }
            k = end;
        }
        return out;
    }
}
