package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.Fuzz;

/**
 * Thousands of mutated Media Streams messages: each is either one event or refused as malformed,
 * never an exception of another kind, and a media payload that parses is audio the call can take.
 */
class MediaStreamCodecFuzzTest {
    private static final List<String> MESSAGES = List.of(
            """
            {"event":"connected","protocol":"Call","version":"1.0.0"}""",
            """
            {"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"accountSid":"AC1","streamSid":"MZ1",\
            "callSid":"CA1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},\
            "customParameters":{"from":"+15550002222","flow":"luigis"}}}""",
            """
            {"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"inbound","chunk":"2",\
            "timestamp":"40","payload":"/////////////////////w=="}}""",
            """
            {"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1","dtmf":{"track":"inbound_track","digit":"1"}}""",
            """
            {"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"seg-7"}}""",
            """
            {"event":"stop","sequenceNumber":"9","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}""");

    @Test
    void everyMutatedMessageIsAnEventOrMalformedNeverAnotherFailure() {
        Fuzz.run(5000, MESSAGES, bytes -> {
            try {
                var event = MediaStreamCodec.parse(new String(bytes, StandardCharsets.UTF_8));
                assertThat(event).isNotNull();
                if (event instanceof StreamEvent.Media media) {
                    assertThat(media.payload()).isNotNull();
                }
            } catch (MediaStreamCodec.MalformedMessage refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        });
    }
}
