package dev.dialtone.flow;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A flow's {@code redact} option: what is masked in the call's record (stored transcript, tool
 * arguments and results, notes) before it leaves the call. Card numbers (13 to 19 digits that pass
 * the Luhn check), US social security numbers (3-2-4 digits) and any other run of at least
 * {@code minDigitRun} digits, written as digits (spaces or dashes between them allowed) or spoken
 * as digit words ("four one one one ..."), keep only their last four digits: {@code ****1234}.
 * ISO dates (2026-12-07) and phone numbers written with their + (+15550002299: the flow's own
 * transfer numbers, the call's numbers) are not digit runs. The LLM still hears what the caller said.
 *
 * @param minDigitRun the shortest other digit run masked; 0 masks no other runs
 */
public record Redaction(boolean enabled, boolean cards, boolean nationalIds, int minDigitRun) {
    /** Nothing is masked. */
    public static final Redaction NONE = new Redaction(false, false, false, 0);
    /** {@code redact: true}: cards, national ids and runs of 8 digits or more. */
    public static final Redaction STANDARD = new Redaction(true, true, true, 8);
    /** The longest text masked; longer text is cut first (records are bounded before this anyway). */
    static final int MAX_CHARS = 100_000;

    // a digit not after a letter, digit or + (E.164), then digits each after at most one space or dash
    private static final Pattern DIGIT_RUN = Pattern.compile("(?<![\\w+])\\d(?:[ -]?\\d)*(?!\\w)");
    private static final Pattern SSN = Pattern.compile("\\d{3}([ -]?)\\d{2}\\1\\d{4}");
    private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Map<String, Character> DIGIT_WORDS = Map.ofEntries(
            Map.entry("zero", '0'), Map.entry("oh", '0'), Map.entry("one", '1'), Map.entry("two", '2'),
            Map.entry("three", '3'), Map.entry("four", '4'), Map.entry("five", '5'), Map.entry("six", '6'),
            Map.entry("seven", '7'), Map.entry("eight", '8'), Map.entry("nine", '9'));
    private static final Pattern SPOKEN_RUN;

    static {
        var word = "(?:" + String.join("|", DIGIT_WORDS.keySet().stream().sorted().toList()) + ")";
        SPOKEN_RUN = Pattern.compile("(?i)\\b" + word + "(?:[\\s,-]+" + word + ")+\\b");
    }

    public Redaction {
        if (minDigitRun < 0 || minDigitRun > 40) {
            throw new IllegalArgumentException("min_digit_run must be 0 to 40");
        }
    }

    /** The text with what this option covers masked; the text itself when redaction is off. */
    public String apply(String text) {
        if (!enabled || text == null || text.isEmpty()) {
            return text;
        }
        var bounded = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
        var written = replace(DIGIT_RUN.matcher(bounded), this::maskWritten);
        return replace(SPOKEN_RUN.matcher(written), this::maskSpoken);
    }

    /** Each text of the list through {@link #apply}. */
    public List<String> apply(List<String> texts) {
        return texts.stream().map(this::apply).toList();
    }

    /**
     * A copy of {@code node} with each text value through {@link #apply}, and each whole number that
     * it would mask replaced by the masked text (names, other numbers and booleans as they are): for
     * JSON that leaves the call, such as an analysis result or a webhook body.
     */
    public JsonNode apply(JsonNode node) {
        if (!enabled || node == null) {
            return node;
        }
        return switch (node) {
            case TextNode text -> TextNode.valueOf(apply(text.textValue()));
            case NumericNode number when number.isIntegralNumber() -> {
                var masked = apply(number.asText()); // a card number sent as a JSON number becomes masked text
                yield masked.equals(number.asText()) ? number : TextNode.valueOf(masked);
            }
            case ObjectNode object -> {
                var out = object.objectNode();
                object.properties().forEach(e -> out.set(e.getKey(), apply(e.getValue())));
                yield out;
            }
            case ArrayNode array -> {
                var out = array.arrayNode();
                array.forEach(v -> out.add(apply(v)));
                yield out;
            }
            default -> node.deepCopy();
        };
    }

    private String maskWritten(String run) {
        var digits = run.replaceAll("[ -]", "");
        if (ISO_DATE.matcher(run).matches()) {
            return run;
        }
        if (nationalIds && SSN.matcher(run).matches()) {
            return "***-**-" + last4(digits);
        }
        if (cards && digits.length() >= 13 && digits.length() <= 19 && luhn(digits)) {
            return mask(digits);
        }
        if (minDigitRun > 0 && digits.length() >= minDigitRun) {
            return mask(digits);
        }
        return run;
    }

    private String maskSpoken(String run) {
        var digits = new StringBuilder();
        for (var w : run.toLowerCase(Locale.ROOT).split("[\\s,-]+")) {
            digits.append(DIGIT_WORDS.get(w));
        }
        // spoken runs carry no grouping: a card or SSN spoken aloud is masked by its length
        int shortest = Math.min(cards ? 13 : Integer.MAX_VALUE, Math.min(nationalIds ? 9 : Integer.MAX_VALUE,
                minDigitRun > 0 ? minDigitRun : Integer.MAX_VALUE));
        return digits.length() >= shortest ? mask(digits.toString()) : run;
    }

    /** {@code ****} and the last four digits. */
    public static String mask(String digits) {
        return "****" + last4(digits);
    }

    private static String last4(String digits) {
        return digits.length() <= 4 ? "" : digits.substring(digits.length() - 4);
    }

    /** The Luhn check every payment card number passes. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    private static String replace(Matcher m, UnaryOperator<String> mask) {
        var out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(mask.apply(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }
}
