package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MediaStreamCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesConnected() throws Exception {
        var e = MediaStreamCodec.parse("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
        assertThat(e).isEqualTo(new StreamEvent.Connected("Call", "1.0.0"));
    }

    @Test
    void parsesStartWithStringSequenceAndCustomParameters() throws Exception {
        var e = (StreamEvent.Start) MediaStreamCodec.parse("""
                {"event":"start","sequenceNumber":"1","streamSid":"MZ1",
                 "start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],
                          "customParameters":{"from":"+15551230000","flow":"pizza"},
                          "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}""");
        assertThat(e.sequenceNumber()).isEqualTo(1);
        assertThat(e.callSid()).isEqualTo("CA1");
        assertThat(e.streamSid()).isEqualTo("MZ1");
        assertThat(e.tracks()).containsExactly("inbound");
        assertThat(e.parameter("flow")).isEqualTo("pizza");
        assertThat(e.parameter("missing")).isEmpty();
        assertThat(e.sampleRate()).isEqualTo(8000);
    }

    @Test
    void parsesMediaPayloadAndStringNumbers() throws Exception {
        var e = (StreamEvent.Media) MediaStreamCodec.parse("""
                {"event":"media","sequenceNumber":"3","streamSid":"MZ1",
                 "media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"/38A"}}""");
        assertThat(e.sequenceNumber()).isEqualTo(3);
        assertThat(e.chunk()).isEqualTo(2);
        assertThat(e.timestampMs()).isEqualTo(20);
        assertThat(e.payload()).containsExactly((byte) 0xFF, (byte) 0x7F, (byte) 0x00);
    }

    @Test
    void parsesDtmfMarkAndStop() throws Exception {
        assertThat(MediaStreamCodec.parse("""
                {"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1","dtmf":{"track":"inbound_track","digit":"1"}}"""))
                .isEqualTo(new StreamEvent.Dtmf(5, "MZ1", "inbound_track", "1"));
        assertThat(MediaStreamCodec.parse("""
                {"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"seg-7"}}"""))
                .isEqualTo(new StreamEvent.Mark(4, "MZ1", "seg-7"));
        assertThat(MediaStreamCodec.parse("""
                {"event":"stop","sequenceNumber":"9","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}"""))
                .isEqualTo(new StreamEvent.Stop(9, "MZ1", "AC1", "CA1"));
    }

    @Test
    void writesOutboundMessagesExactlyAsTwilioExpects() throws Exception {
        assertThat(JSON.readTree(MediaStreamCodec.write(new StreamCommand.Media(new byte[] {(byte) 0xFF, 0x7F}), "MZ9")))
                .isEqualTo(JSON.readTree("{\"event\":\"media\",\"streamSid\":\"MZ9\",\"media\":{\"payload\":\"/38=\"}}"));
        assertThat(JSON.readTree(MediaStreamCodec.write(new StreamCommand.Mark("seg-1"), "MZ9")))
                .isEqualTo(JSON.readTree("{\"event\":\"mark\",\"streamSid\":\"MZ9\",\"mark\":{\"name\":\"seg-1\"}}"));
        assertThat(JSON.readTree(MediaStreamCodec.write(new StreamCommand.Clear(), "MZ9")))
                .isEqualTo(JSON.readTree("{\"event\":\"clear\",\"streamSid\":\"MZ9\"}"));
    }

    @Test
    void refusesMalformedInputWithAReason() {
        assertThatThrownBy(() -> MediaStreamCodec.parse("{not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> MediaStreamCodec.parse("[1,2]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> MediaStreamCodec.parse("{\"event\":\"dance\"}")).hasMessageContaining("unknown event 'dance'");
        assertThatThrownBy(() -> MediaStreamCodec.parse("{\"streamSid\":\"MZ1\"}")).hasMessageContaining("missing field 'event'");
        assertThatThrownBy(() -> MediaStreamCodec.parse("{\"event\":\"media\",\"media\":{\"payload\":\"***\"}}"))
                .hasMessageContaining("not base64");
        assertThatThrownBy(() -> MediaStreamCodec.parse("{\"event\":\"media\",\"sequenceNumber\":\"x\",\"media\":{\"payload\":\"\"}}"))
                .hasMessageContaining("'sequenceNumber' is not a number");
        assertThatThrownBy(() -> MediaStreamCodec.parse("{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\"}}"))
                .hasMessageContaining("missing field 'callSid'");
    }
}
