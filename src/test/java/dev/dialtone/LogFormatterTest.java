package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

/** A value from outside cannot forge a log line: every line after the first is marked as a continuation. */
class LogFormatterTest {

    @Test
    void aLineBreakInAnOutsideValueBecomesAMarkedContinuation() {
        var record = new LogRecord(Level.INFO, "Call {0} answered");
        record.setParameters(new Object[] {"CA1\n2026.12.07 05:00:00.000 INFO dev.dialtone.Main: admin token reset\r"});
        record.setLoggerName("dev.dialtone.conversation.Switchboard");

        var lines = new LogFormatter().format(record).split("\n");

        assertThat(lines).hasSize(2);
        assertThat(lines[1]).startsWith("  | 2026.12.07").endsWith("admin token reset\\r answered");
    }

    @Test
    void controlCharactersAreEscapedAndPlainTextIsUntouched() {
        assertThat(LogFormatter.escape("bell\u0007 and esc\u001b[31m")).isEqualTo("bell\\u0007 and esc\\u001b[31m");
        assertThat(LogFormatter.escape("plain text, with\ttab")).isEqualTo("plain text, with\ttab");
    }
}
