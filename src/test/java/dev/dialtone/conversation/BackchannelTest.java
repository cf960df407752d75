package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackchannelTest {

    @Test
    void acknowledgementsDoNotInterrupt() {
        for (var text : new String[] {"uh-huh", "Yeah.", "okay", "mm-hmm", "right", "Okay, yeah.", "I see"}) {
            assertThat(Backchannel.interrupts(text, 2)).as(text).isFalse();
            assertThat(Backchannel.isOnlyBackchannel(text)).as(text).isTrue();
        }
    }

    @Test
    void realWordsInterruptFromTheMinimumCount() {
        assertThat(Backchannel.interrupts("wait", 2)).isFalse();
        assertThat(Backchannel.interrupts("wait", 1)).isTrue();
        assertThat(Backchannel.interrupts("no wait", 2)).isTrue();
        assertThat(Backchannel.interrupts("yeah but actually", 2)).isTrue();
        assertThat(Backchannel.interrupts("", 0)).isFalse();
        assertThat(Backchannel.isOnlyBackchannel("yes please")).isFalse();
    }
}
