package dev.dialtone.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** call.transferred carries what the TRANSFER note says: the number, the mode and the outcome. */
class WebhookTransferTest {
    @Test
    void aColdTransferIsDialedAndAWarmOneCarriesItsOutcome() {
        assertThat(Webhooks.transfer("+15550009999"))
                .isEqualTo(Map.of("to", "+15550009999", "mode", "cold", "outcome", "dialed"));
        assertThat(Webhooks.transfer("+15550009999 warm answered"))
                .isEqualTo(Map.of("to", "+15550009999", "mode", "warm", "outcome", "answered"));
        assertThat(Webhooks.transfer("+15550009999 warm no-answer (busy)"))
                .isEqualTo(Map.of("to", "+15550009999", "mode", "warm", "outcome", "no-answer (busy)"));
    }
}
