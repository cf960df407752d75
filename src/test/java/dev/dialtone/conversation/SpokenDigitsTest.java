package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpokenDigitsTest {
    @Test
    void digitWordsDigitsAndRepeatsAreRead() {
        assertThat(SpokenDigits.read("one two three")).contains("123");
        assertThat(SpokenDigits.read("It's 4 4 1 2.")).contains("4412");
        assertThat(SpokenDigits.read("oh four, double five, triple nine")).contains("0455999");
        assertThat(SpokenDigits.read("um, 12-34")).contains("1234");
    }

    @Test
    void talkIsNotDigits() {
        assertThat(SpokenDigits.read("I don't know it")).isEmpty();
        assertThat(SpokenDigits.read("one moment please")).isEmpty();
        assertThat(SpokenDigits.read("uh")).isEmpty();
        assertThat(SpokenDigits.read("1".repeat(SpokenDigits.MAX_CHARS + 1))).isEmpty();
    }
}
