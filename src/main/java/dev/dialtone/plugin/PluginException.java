package dev.dialtone.plugin;

import java.nio.file.Path;

/** A plugin file that cannot be used; the message starts with {@code file:line:} and names the plugin. */
public final class PluginException extends Exception {
    private final Path file;
    private final int line;

    PluginException(Path file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** One-based line in the plugin file the problem was found at (1 when unknown). */
    public int line() {
        return line;
    }

    /** The message without the {@code file:line:} prefix. */
    public String reason() {
        var prefix = file + ":" + line + ": ";
        return getMessage().substring(prefix.length());
    }
}
