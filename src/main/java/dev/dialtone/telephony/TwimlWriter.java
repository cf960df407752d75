package dev.dialtone.telephony;

import java.util.Map;

/**
 * The TwiML documents Dialtone sends Twilio (the voice webhook's answers, a transfer), written directly. The Twilio SDK's
 * {@code TwiML.toXml()} looks up XML factories, builds a DOM and runs an XSLT transformer for every
 * document: about 7 ms of CPU per incoming call, all at the moment calls arrive.
 */
final class TwimlWriter {
    private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    private TwimlWriter() {
    }

    /** {@code <Connect><Stream>}: Twilio opens the media stream to {@code url} with these parameters. */
    static String connectStream(String url, String statusCallback, Map<String, String> parameters) {
        var xml = new StringBuilder(512).append(PROLOG).append("<Response><Connect><Stream");
        attribute(xml, "url", url);
        attribute(xml, "statusCallback", statusCallback);
        attribute(xml, "statusCallbackMethod", "POST");
        xml.append('>');
        parameters.forEach((name, value) -> {
            xml.append("<Parameter");
            attribute(xml, "name", name);
            attribute(xml, "value", value);
            xml.append("/>");
        });
        return xml.append("</Stream></Connect></Response>").toString();
    }

    /** {@code <Dial>}: Twilio connects the call to {@code number}. */
    static String dial(String number) {
        var xml = new StringBuilder(128).append(PROLOG).append("<Response><Dial>");
        escape(xml, number);
        return xml.append("</Dial></Response>").toString();
    }

    /**
     * The caller's side of a warm transfer: {@code <Dial><Conference>} into the call's own room,
     * waiting with {@code waitUrl}'s hold music until the human (who starts the conference) joins;
     * the room ends when the caller leaves, and Twilio posts the room's join/leave events to
     * {@code statusCallback}.
     */
    static String holdInConference(String room, String waitUrl, String statusCallback) {
        var xml = new StringBuilder(512).append(PROLOG).append("<Response><Dial><Conference");
        attribute(xml, "startConferenceOnEnter", "false");
        attribute(xml, "endConferenceOnExit", "true");
        attribute(xml, "beep", "false");
        attribute(xml, "waitUrl", waitUrl);
        attribute(xml, "waitMethod", "GET");
        attribute(xml, "statusCallback", statusCallback);
        attribute(xml, "statusCallbackEvent", "join leave");
        attribute(xml, "statusCallbackMethod", "POST");
        xml.append('>');
        escape(xml, room);
        return xml.append("</Conference></Dial></Response>").toString();
    }

    /**
     * The human's side, once answered: the briefing inside a one-digit {@code <Gather>} (a key
     * pressed declines), whose action is asked even when no key was pressed ({@code actionOnEmptyResult}),
     * so that the server decides there whether the human joins. The briefing is {@code <Play>} of
     * {@code audioUrl} (the flow's own voice, synthesised ahead) when there is one, else {@code <Say>}
     * of the text: Twilio's voice, which needs no fetch and so cannot fail on a slow media request.
     */
    static String briefing(String gatherAction, String intro, String audioUrl, String text) {
        var xml = new StringBuilder(1024).append(PROLOG).append("<Response><Gather");
        attribute(xml, "input", "dtmf");
        attribute(xml, "numDigits", "1");
        attribute(xml, "timeout", "2");
        attribute(xml, "actionOnEmptyResult", "true");
        attribute(xml, "action", gatherAction);
        attribute(xml, "method", "POST");
        xml.append("><Say>");
        escape(xml, intro);
        xml.append("</Say>");
        if (audioUrl != null) {
            xml.append("<Play>");
            escape(xml, audioUrl);
            xml.append("</Play>");
        } else {
            xml.append("<Say>");
            escape(xml, text);
            xml.append("</Say>");
        }
        return xml.append("</Gather></Response>").toString();
    }

    /** The human joins the caller's room, which starts it (the hold music stops) and ends it when they leave. */
    static String joinConference(String room) {
        var xml = new StringBuilder(256).append(PROLOG).append("<Response><Dial><Conference");
        attribute(xml, "startConferenceOnEnter", "true");
        attribute(xml, "endConferenceOnExit", "true");
        attribute(xml, "beep", "false");
        xml.append('>');
        escape(xml, room);
        return xml.append("</Conference></Dial></Response>").toString();
    }

    /** {@code <Say>} then {@code <Hangup/>}. */
    static String sayAndHangUp(String text) {
        var xml = new StringBuilder(256).append(PROLOG).append("<Response><Say>");
        escape(xml, text);
        return xml.append("</Say><Hangup/></Response>").toString();
    }

    private static void attribute(StringBuilder xml, String name, String value) {
        xml.append(' ').append(name).append("=\"");
        escape(xml, value);
        xml.append('"');
    }

    /** Escapes markup characters and drops the ones XML 1.0 cannot carry at all. */
    private static void escape(StringBuilder xml, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> xml.append("&amp;");
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                case '"' -> xml.append("&quot;");
                case '\'' -> xml.append("&apos;");
                case '\t', '\n', '\r' -> xml.append("&#").append((int) c).append(';'); // kept through attribute normalisation
                default -> {
                    if (c >= 0x20 && c != 0xFFFE && c != 0xFFFF) {
                        xml.append(c);
                    }
                }
            }
        }
    }
}
