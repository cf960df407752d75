package dev.dialtone.plugin;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where a plugin's {@code console.log} output goes: one log record per line, tagged with the
 * plugin's name, each line cut at {@link #MAX_LINE} characters and at most {@link #MAX_LINES} lines
 * per context, so a chatty plugin cannot flood the log.
 */
final class LogSink extends OutputStream {
    static final System.Logger LOG = System.getLogger("dev.dialtone.plugin");
    static final int MAX_LINE = 500;
    static final int MAX_LINES = 1_000;

    private final String plugin;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(); // the guest's runner thread
    private int lines; // the guest's runner thread

    LogSink(String plugin) {
        this.plugin = plugin;
    }

    /** Logs one line that a plugin produced (console output or {@code call.log}). */
    static void log(String plugin, String text) {
        var cut = text.length() > MAX_LINE ? text.substring(0, MAX_LINE) + "..." : text;
        LOG.log(System.Logger.Level.INFO, "plugin {0}: {1}", plugin, cut);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
        } else if (line.size() <= MAX_LINE * 4) {
            line.write(b);
        }
    }

    @Override
    public synchronized void flush() {
        if (line.size() > 0) {
            flushLine();
        }
    }

    private void flushLine() {
        var text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        lines++;
        if (lines < MAX_LINES) {
            log(plugin, text);
        } else if (lines == MAX_LINES) {
            log(plugin, "(further output dropped)");
        }
    }
}
