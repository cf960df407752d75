package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A node's {@code transfer}: entering it says the node's line (or, without one, the transfer line)
 * and then transfers the caller, warm or cold as the node says, as a key's transfer does.
 */
class NodeTransferTest extends HarnessTestBase {
    @Override
    String flowBody() {
        return """
                start: menu
                nodes:
                  menu:
                    prompt: "Take the order."
                    next: { kitchen: "They ask for the kitchen", manager: "They ask for the manager" }
                  kitchen:
                    say: "Let me get the kitchen for you."
                    transfer: { to: "+15550009999", mode: warm, ring_s: 20, on_no_answer: { node: menu } }
                  manager:
                    transfer: "+15550007777"
                """;
    }

    @Test
    void aWarmTransferNodeSaysItsLineThenHoldsTheCallForTheTransfer() {
        call.handle(new CallEvent.Action(new CallAction.GoTo("kitchen")));
        assertThat(call.voice.said).containsExactly("Let me get the kitchen for you.");
        assertThat(call.lineActions()).as("nothing before the line is heard").isEmpty();
        call.playAll();
        assertThat(call.lineActions()).containsExactly("warm +15550009999 from node kitchen");
        assertThat(call.transcript.endedAt()).as("held: the record stays open").isEmpty();
    }

    @Test
    void aColdTransferNodeWithoutALineSaysTheTransferLineThenTransfers() {
        call.handle(new CallEvent.Action(new CallAction.GoTo("manager")));
        assertThat(call.voice.said).containsExactly(Phrases.ENGLISH.transferring());
        call.playAll();
        assertThat(call.lineActions()).containsExactly("transfer +15550007777");
        assertThat(call.transcript.endReason()).contains("transferred to +15550007777");
    }
}
