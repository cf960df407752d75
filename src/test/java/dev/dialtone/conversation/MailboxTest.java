package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A call's mailbox: control overtakes data, and data beyond the bound is refused, never queued. */
class MailboxTest {

    @Test
    void controlOvertakesEverythingQueued() throws Exception {
        var mailbox = new Mailbox(10);
        mailbox.offer(new CallEvent.Digit("1"));
        mailbox.offer(new CallEvent.MarkEchoed("seg-1", 0));
        mailbox.offer(new CallEvent.StreamEnded("caller hung up"));

        assertThat(mailbox.take()).isEqualTo(new CallEvent.StreamEnded("caller hung up"));
        assertThat(mailbox.take()).isEqualTo(new CallEvent.Digit("1"));
        assertThat(mailbox.take()).isEqualTo(new CallEvent.MarkEchoed("seg-1", 0));
    }

    @Test
    void dataBeyondTheBoundIsRefusedButControlStillGetsThrough() throws Exception {
        var mailbox = new Mailbox(3);
        for (int i = 0; i < 3; i++) {
            assertThat(mailbox.offer(new CallEvent.Digit("1"))).isTrue();
        }
        assertThat(mailbox.offer(new CallEvent.Digit("2"))).isFalse();
        assertThat(mailbox.offer(new CallEvent.Action(new CallAction.HangUp("operator")))).isTrue();

        assertThat(mailbox.size()).isEqualTo(4);
        assertThat(mailbox.take()).isEqualTo(new CallEvent.Action(new CallAction.HangUp("operator")));
    }
}
