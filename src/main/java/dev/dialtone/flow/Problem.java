package dev.dialtone.flow;

import java.nio.file.Path;

/** One thing wrong with a flow or plugin file, where it is, and how bad: printed as {@code file:line: reason}. */
public record Problem(Path file, int line, Severity severity, String message) {

    /** Errors stop a file set from going live; warnings are shown but do not. */
    public enum Severity { ERROR, WARNING }

    public static Problem error(Path file, int line, String message) {
        return new Problem(file, line, Severity.ERROR, message);
    }

    public static Problem warning(Path file, int line, String message) {
        return new Problem(file, line, Severity.WARNING, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + (isError() ? "" : "warning: ") + message;
    }
}
