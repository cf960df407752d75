package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What {@code redact} masks in a call's record, and what it leaves alone. */
class RedactionTest {
    private static final Redaction CARDS_ONLY = new Redaction(true, true, false, 0);

    @Test
    void luhnValidCardNumbersAreMaskedToTheirLastFourWithOrWithoutSeparators() {
        assertThat(CARDS_ONLY.apply("card 4111 1111 1111 1111 ok")).isEqualTo("card ****1111 ok");
        assertThat(CARDS_ONLY.apply("card 5500-0000-0000-0004.")).isEqualTo("card ****0004.");
        assertThat(CARDS_ONLY.apply("378282246310005")).isEqualTo("****0005"); // 15-digit Amex
    }

    @Test
    void aRunThatFailsTheLuhnCheckIsNotACard() {
        assertThat(CARDS_ONLY.apply("order 4111 1111 1111 1112")).isEqualTo("order 4111 1111 1111 1112");
        assertThat(Redaction.STANDARD.apply("order 4111 1111 1111 1112")).isEqualTo("order ****1112"); // a long run all the same
    }

    @Test
    void socialSecurityNumbersAreMasked() {
        assertThat(Redaction.STANDARD.apply("it's 123-45-6789")).isEqualTo("it's ***-**-6789");
        assertThat(Redaction.STANDARD.apply("it's 123 45 6789")).isEqualTo("it's ***-**-6789");
        assertThat(new Redaction(true, false, false, 0).apply("it's 123-45-6789")).isEqualTo("it's 123-45-6789");
    }

    @Test
    void longRunsAreMaskedFromTheirMinimumLengthAndShortNumbersDatesAndWordsAreNot() {
        var standard = Redaction.STANDARD;
        assertThat(standard.apply("account 12345678")).isEqualTo("account ****5678");
        assertThat(standard.apply("table for 4 at 7:30, code 1234567")).isEqualTo("table for 4 at 7:30, code 1234567");
        assertThat(standard.apply("on 2026-12-07")).isEqualTo("on 2026-12-07");
        assertThat(standard.apply("ref AB12345678")).isEqualTo("ref AB12345678"); // part of a word, not a run
        assertThat(standard.apply("transfer to +15550002299")).isEqualTo("transfer to +15550002299"); // E.164
        assertThat(new Redaction(true, false, false, 5).apply("pin 12345")).isEqualTo("pin ****2345");
    }

    @Test
    void digitsSpokenAsWordsAreMaskedByTheirLength() {
        assertThat(Redaction.STANDARD.apply("it's four one one one, one one one one, one one one one, one one one one thanks"))
                .isEqualTo("it's ****1111 thanks");
        assertThat(Redaction.STANDARD.apply("one two three")).isEqualTo("one two three");
    }

    @Test
    void offMasksNothing() {
        assertThat(Redaction.NONE.apply("4111 1111 1111 1111")).isEqualTo("4111 1111 1111 1111");
    }

    @Test
    void theLuhnCheck() {
        assertThat(Redaction.luhn("79927398713")).isTrue();
        assertThat(Redaction.luhn("79927398710")).isFalse();
    }

    @Test
    void jsonKeepsItsShapeWithTextAndWholeNumbersMasked() throws Exception {
        var json = new ObjectMapper().readTree("""
                {"card": "4111 1111 1111 1111", "number": 4111111111111111, "items": [{"note": "acct 12345678"}, 3],
                 "total": 12.5, "paid": true, "when": "2026-12-07", "none": null}""");
        assertThat(Redaction.STANDARD.apply(json).toString()).isEqualTo(
                "{\"card\":\"****1111\",\"number\":\"****1111\",\"items\":[{\"note\":\"acct ****5678\"},3],"
                + "\"total\":12.5,\"paid\":true,\"when\":\"2026-12-07\",\"none\":null}");
        assertThat(json.path("card").asText()).as("the original is left as it was").isEqualTo("4111 1111 1111 1111");
        assertThat(Redaction.NONE.apply(json)).isSameAs(json);
    }
}
