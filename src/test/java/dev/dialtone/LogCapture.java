package dev.dialtone;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What a logger and its children log while a test runs (System.Logger goes to java.util.logging
 * here). Close it to stop recording.
 */
public final class LogCapture implements AutoCloseable {
    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private final Logger logger; // held: a logger nobody references may be collected with its handler
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Records what {@code name} (e.g. a package, or "" for everything) logs from now on. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The messages with their parameters filled in, in order. */
    public List<String> messages() {
        return records.stream().map(FORMAT::formatMessage).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
