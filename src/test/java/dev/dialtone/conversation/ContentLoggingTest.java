package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the caller says is not in the log at the default level; a flow with {@code debug: true}
 * logs its calls in full.
 */
class ContentLoggingTest {
    private static final String SECRET_WORDS = "my card number is 4242 4242";
    @TempDir
    Path dir;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger conversationLog = Logger.getLogger(Conversation.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (conversationLog.isLoggable(record.getLevel())) {
                logged.add(new LogFormatterProbe().format(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        conversationLog.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        conversationLog.removeHandler(capture);
    }

    @Test
    void byDefaultTheCallersWordsAreNotLogged() throws Exception {
        callerSpeaksOnAFlowWith("");
        assertThat(logged).noneMatch(line -> line.contains("4242"));
    }

    @Test
    void aDebugFlowLogsItsCallsInFull() throws Exception {
        callerSpeaksOnAFlowWith("debug: true\n");
        assertThat(logged).anyMatch(line -> line.contains(SECRET_WORDS));
    }

    private void callerSpeaksOnAFlowWith(String flowBody) throws Exception {
        try (var flow = new HarnessFlow(dir, "openai", flowBody)) {
            var llm = new ScriptedChatModel();
            try (var call = new ConversationHarness(flow, llm)) {
                llm.afterEvent(call::drain);
                call.start();
                call.callerSays(SECRET_WORDS);
            }
        }
    }

    /** The message as the server's formatter would write it (parameters filled in). */
    private static final class LogFormatterProbe extends SimpleFormatter {
    }
}
