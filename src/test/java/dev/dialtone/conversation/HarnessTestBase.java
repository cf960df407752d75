package dev.dialtone.conversation;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the harness tests share: one {@link HarnessFlow} per class (loading it starts the plugin
 * engine), and per test a fresh call on a {@link ScriptedChatModel} whose events are handled as
 * soon as the test makes the model emit them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HarnessTestBase {
    HarnessFlow flow;
    ScriptedChatModel llm;
    ConversationHarness call;

    /** The flow's YAML lines after its name, tools and LLM (turn-taking, DTMF...). */
    String flowBody() {
        return "";
    }

    @BeforeAll
    void loadFlow() throws Exception {
        flow = new HarnessFlow(Files.createTempDirectory("harness-flow"), "openai", flowBody());
    }

    @AfterAll
    void closeFlow() {
        flow.close();
    }

    @BeforeEach
    void startCall() {
        flow.reset();
        llm = new ScriptedChatModel();
        call = new ConversationHarness(flow, llm);
        llm.afterEvent(call::drain);
        call.start();
    }

    @AfterEach
    void endCall() {
        call.close();
    }
}
