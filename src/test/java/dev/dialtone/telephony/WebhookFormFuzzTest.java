package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.Fuzz;

/**
 * Thousands of mutated webhook bodies: each is read into parameters within the limits or refused
 * with a reason (the caller answers 400 or 413), never another exception.
 */
class WebhookFormFuzzTest {
    private static final List<String> BODIES = List.of(
            "AccountSid=AC123&ApiVersion=2010-04-01&CallSid=CA123&CallStatus=ringing&Called=%2B15550001111"
            + "&Caller=%2B15551230000&Direction=inbound&From=%2B15551230000&To=%2B15550001111",
            "CallSid=CA1&StreamSid=MZ1&StreamEvent=stream-started&Timestamp=2026-12-07T05%3A00%3A00Z",
            "Digits=1234%23&FinishedOnKey=%23&CallSid=CA9&SpeechResult=I+would+like+a+pizza");

    @Test
    void everyMutatedBodyIsReadWithinTheLimitsOrRefused() {
        Fuzz.run(5000, BODIES, bytes -> {
            try {
                var form = WebhookForm.parse(new String(bytes, StandardCharsets.UTF_8));
                assertThat(form.size()).isLessThanOrEqualTo(WebhookForm.MAX_PARAMETERS);
            } catch (WebhookForm.Refused refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        });
    }
}
