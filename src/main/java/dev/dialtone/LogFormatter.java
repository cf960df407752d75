package dev.dialtone;

import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * The server's log line format ({@code java.util.logging.SimpleFormatter.format} in
 * logging.properties) with every message made safe to read: values that came from outside (a
 * CallSid in a forged request, a plugin's {@code call.log}, a provider's error text) cannot start
 * a line of their own. A line break inside a message becomes a continuation line marked
 * {@code "  | "}, a carriage return and other control characters are written as escapes.
 */
public final class LogFormatter extends SimpleFormatter {
    static final String CONTINUATION = "\n  | ";

    @Override
    public String formatMessage(LogRecord record) {
        return escape(super.formatMessage(record));
    }

    static String escape(String message) {
        StringBuilder out = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (!control) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(message.length() + 16).append(message, 0, i);
            }
            switch (c) {
                case '\n' -> out.append(CONTINUATION);
                case '\r' -> out.append("\\r");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? message : out.toString();
    }
}
