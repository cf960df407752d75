package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import com.twilio.twiml.VoiceResponse;
import java.net.URI;
import java.util.List;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.voice.Conference;
import com.twilio.twiml.voice.Connect;
import com.twilio.twiml.voice.Gather;
import com.twilio.twiml.voice.Play;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Parameter;
import com.twilio.twiml.voice.Say;
import com.twilio.twiml.voice.Stream;

/** Our TwiML must mean exactly what the Twilio SDK's would, whatever the values hold. */
class TwimlWriterTest {
    private static final String AWKWARD = "Tom & \"Jerry\" <pizza> 'n' café ☎ tab\there\nnewline";

    @Test
    void connectStreamIsTheDocumentTheSdkWrites() throws Exception {
        var parameters = new LinkedHashMap<String, String>();
        parameters.put("from", "+15551230000");
        parameters.put("to", "+15550001111");
        parameters.put("direction", "inbound");
        parameters.put("flow", AWKWARD);
        var url = "wss://example.com/twilio/stream?a=1&b=<2>";
        var callback = "https://example.com/twilio/status";

        var ours = TwimlWriter.connectStream(url, callback, parameters);

        var stream = new Stream.Builder().url(url).statusCallback(callback)
                .statusCallbackMethod(Stream.StatusCallbackMethod.POST);
        parameters.forEach((name, value) -> stream.parameter(new Parameter.Builder().name(name).value(value).build()));
        var sdk = new VoiceResponse.Builder().connect(new Connect.Builder().stream(stream.build()).build()).build().toXml();
        assertThat(parse(ours).isEqualNode(parse(sdk))).as(ours + "\nvs\n" + sdk).isTrue();
        assertThat(parse(ours).getElementsByTagName("Parameter").item(3).getAttributes().getNamedItem("value").getNodeValue())
                .isEqualTo(AWKWARD);
    }

    @Test
    void sayAndHangUpIsTheDocumentTheSdkWrites() throws Exception {
        var ours = TwimlWriter.sayAndHangUp(AWKWARD);
        var sdk = new VoiceResponse.Builder().say(new Say.Builder(AWKWARD).build()).hangup(new Hangup.Builder().build())
                                             .build().toXml();
        assertThat(parse(ours).isEqualNode(parse(sdk))).as(ours + "\nvs\n" + sdk).isTrue();
    }

    @Test
    void dialIsTheDocumentTheSdkWrites() throws Exception {
        var ours = TwimlWriter.dial("+1 (555) 010-0000 & <ext>");
        var sdk = new VoiceResponse.Builder().dial(new Dial.Builder("+1 (555) 010-0000 & <ext>").build()).build().toXml();
        assertThat(parse(ours).isEqualNode(parse(sdk))).as(ours + "\nvs\n" + sdk).isTrue();
    }

    @Test
    void theWarmTransfersHoldIsTheDocumentTheSdkWrites() throws Exception {
        var wait = "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical&x=1";
        var callback = "https://example.com/twilio/transfer/conference?call=CA1";
        var ours = TwimlWriter.holdInConference("dialtone-CA1", wait, callback);
        var conference = new Conference.Builder("dialtone-CA1").startConferenceOnEnter(false).endConferenceOnExit(true)
                .beep(Conference.Beep.FALSE).waitUrl(URI.create(wait))
                .waitMethod(HttpMethod.GET).statusCallback(URI.create(callback))
                .statusCallbackEvents(List.of(Conference.Event.JOIN, Conference.Event.LEAVE))
                .statusCallbackMethod(HttpMethod.POST).build();
        var sdk = new VoiceResponse.Builder().dial(new Dial.Builder().conference(conference).build()).build().toXml();
        assertThat(parse(ours).isEqualNode(parse(sdk))).as(ours + "\nvs\n" + sdk).isTrue();
    }

    @Test
    void theBriefingAndTheJoinAreTheDocumentsTheSdkWrites() throws Exception {
        var action = "https://example.com/twilio/transfer/gather?call=CA1";
        var audio = "https://example.com/twilio/transfer/briefing/ab12.wav";
        var ours = TwimlWriter.briefing(action, "Press a key to decline.", audio, AWKWARD);
        var sdk = new VoiceResponse.Builder().gather(new Gather.Builder().inputs(List.of(Gather.Input.DTMF)).numDigits(1)
                .timeout(2).actionOnEmptyResult(true).action(URI.create(action)).method(HttpMethod.POST)
                .say(new Say.Builder("Press a key to decline.").build()).play(new Play.Builder(audio).build()).build())
                .build().toXml();
        assertThat(parse(ours).isEqualNode(parse(sdk))).as(ours + "\nvs\n" + sdk).isTrue();

        var spoken = TwimlWriter.briefing(action, "Press a key to decline.", null, AWKWARD);
        assertThat(parse(spoken).getElementsByTagName("Say").item(1).getTextContent()).isEqualTo(AWKWARD);
        assertThat(parse(spoken).getElementsByTagName("Play").getLength()).isZero();

        var join = TwimlWriter.joinConference("dialtone-CA1");
        var sdkJoin = new VoiceResponse.Builder().dial(new Dial.Builder().conference(new Conference.Builder("dialtone-CA1")
                .startConferenceOnEnter(true).endConferenceOnExit(true).beep(Conference.Beep.FALSE).build()).build())
                .build().toXml();
        assertThat(parse(join).isEqualNode(parse(sdkJoin))).as(join + "\nvs\n" + sdkJoin).isTrue();
    }

    @Test
    void charactersXmlCannotCarryAreDroppedNotLeftToBreakTheDocument() throws Exception {
        var ours = TwimlWriter.sayAndHangUp("a\u0001b\u0000c");
        assertThat(parse(ours).getElementsByTagName("Say").item(0).getTextContent()).isEqualTo("abc");
    }

    private static Document parse(String xml) throws Exception {
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        document.normalizeDocument();
        return document;
    }
}
