package dev.dialtone.telephony;

/**
 * Untrusted text (ids and fields from the wire) made safe for one log line: control characters,
 * CR and LF above all, are shown escaped so that a value cannot forge a line, and long values
 * are cut.
 */
final class LogText {
    private static final int MAX = 120;

    private LogText() {
    }

    static String clean(String text) {
        if (text == null) {
            return "";
        }
        var out = new StringBuilder(Math.min(text.length(), MAX) + 8);
        int i = 0;
        for (; i < text.length() && out.length() < MAX; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return i < text.length() ? out.append("...").toString() : out.toString();
    }
}
