package dev.dialtone.flowtest;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The report for people: one line per case, and for each failing case what failed (file:line) and
 * the call's transcript, so the reader sees what the agent did without running anything again.
 */
public final class TestReport {
    private TestReport() {
    }

    /** Prints the results of the files, then a summary line. */
    public static void print(List<FileResult> files, Duration took, PrintStream out) {
        long cases = 0;
        long failed = 0;
        for (var file : files) {
            out.println(file.file() + " (flow " + file.flow() + ")");
            file.problems().forEach(p -> out.println("  ! " + p));
            for (var c : file.cases()) {
                cases++;
                if (c.passed()) {
                    out.println("  ok    " + c.name() + " (" + c.took().toMillis() + " ms)");
                    continue;
                }
                failed++;
                out.println("  FAIL  " + c.name() + " (" + c.took().toMillis() + " ms)");
                c.failureLines().forEach(f -> out.println("        " + f));
                out.println("        transcript:");
                c.transcript().lines().forEach(l -> out.println("          " + l));
            }
        }
        long broken = files.stream().filter(f -> !f.problems().isEmpty()).count();
        out.println(cases + " case" + (cases == 1 ? "" : "s") + ": " + (cases - failed) + " passed, " + failed + " failed"
                + (broken > 0 ? ", " + broken + " file" + (broken == 1 ? "" : "s") + " could not run" : "")
                + " (" + String.format(Locale.ROOT, "%.1f", took.toMillis() / 1000.0) + " s)");
    }
}
