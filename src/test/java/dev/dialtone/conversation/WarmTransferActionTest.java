package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Which transfers are warm: a transfer to the flow's warm transfer_to number (the transfer_call
 * tool's, a plugin's, an operator's) holds the call with the flow's settings after the agent says
 * so, and leaves its record open; a transfer to any other number is cold and ends it.
 */
class WarmTransferActionTest extends HarnessTestBase {
    @Override
    String flowBody() {
        return """
                transfer_to: { to: "+15550009999", mode: warm, ring_s: 20 }
                """;
    }

    @Test
    void aTransferToTheWarmTransferToNumberHoldsTheCallAndKeepsItsRecordOpen() {
        call.handle(new CallEvent.Action(new CallAction.Transfer("+15550009999")));
        assertThat(spoken()).containsExactly(Phrases.ENGLISH.transferring());
        playAll();
        assertThat(call.lineActions()).containsExactly("warm +15550009999 from node -");
        assertThat(call.transcript.endedAt()).isEmpty();
        assertThat(call.transcript.notes()).noneMatch(n -> n.kind().equals("transfer")); // the outcome notes it
    }

    @Test
    void aTransferToAnotherNumberIsCold() {
        call.handle(new CallEvent.Action(new CallAction.Transfer("+15550008888")));
        playAll();
        assertThat(call.lineActions()).containsExactly("transfer +15550008888");
        assertThat(call.transcript.endReason()).contains("transferred to +15550008888");
    }

    private void playAll() {
        for (var segment : call.voice.unsent()) {
            call.voice.send(segment);
        }
        for (var segment : call.voice.unechoed()) {
            call.voice.echo(segment);
        }
        call.drain();
    }

    private List<String> spoken() {
        return call.voice.said;
    }
}
