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
