package dev.dialtone.conversation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Digits said instead of keyed, from the STT's text: "one two three four", "1234", "oh four,
 * double five", "it's 4 4 1 2". The text counts as digits only when nothing else is in it but a few
 * filler words; anything else ("I don't know it") is the caller talking, not keying.
 */
final class SpokenDigits {
    /** The longest text looked at: a digit string is short, and a long text is talk. */
    static final int MAX_CHARS = 400;
    private static final Map<String, String> WORDS = Map.ofEntries(
            Map.entry("zero", "0"), Map.entry("oh", "0"), Map.entry("o", "0"), Map.entry("one", "1"),
            Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"),
            Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"));
    private static final Set<String> FILLER = Set.of("uh", "um", "er", "it's", "its", "it", "is", "my", "the",
            "number", "code", "and", "then", "okay", "ok", "so", "yes", "yeah");

    private SpokenDigits() {
    }

    /** The digits the text says, or empty when it says something else (or no digit at all). */
    static Optional<String> read(String text) {
        if (text.length() > MAX_CHARS) {
            return Optional.empty();
        }
        var out = new StringBuilder();
        int repeat = 1;
        for (var token : text.toLowerCase(Locale.ROOT).split("[\\s,.;:!?-]+")) {
            if (token.isEmpty() || FILLER.contains(token)) {
                continue;
            }
            if (token.equals("double") || token.equals("triple")) {
                repeat = token.equals("double") ? 2 : 3;
                continue;
            }
            String digits;
            if (token.chars().allMatch(c -> c >= '0' && c <= '9')) {
                digits = token;
            } else if (WORDS.containsKey(token)) {
                digits = WORDS.get(token);
            } else {
                return Optional.empty();
            }
            out.append(digits.repeat(repeat));
            repeat = 1;
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
    }
}
