package dev.dialtone.conversation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Tells a real interruption from a backchannel: while the agent speaks, callers say "uh-huh",
 * "yeah", "okay" to show they are listening, and that must not cut the agent off. Speech counts
 * as an interruption when it has at least the flow's minimum number of words and is not made
 * only of backchannel words.
 */
final class Backchannel {
    private static final Set<String> WORDS = Set.of(
            "uh-huh", "uh", "huh", "um", "umm", "hmm", "mm", "mhm", "mm-hmm", "mmhmm", "uhhuh", "yeah", "yep", "yes",
            "ya", "yah", "ok", "okay", "k", "right", "sure", "alright", "aha", "ah", "oh", "i", "see", "got", "it",
            "cool", "great", "nice", "fine", "good");

    private Backchannel() {
    }

    /** Whether this text (interim or final) should stop the agent. */
    static boolean interrupts(String text, int minWords) {
        var words = words(text);
        if (words.length == 0 || words.length < Math.max(1, minWords)) {
            return false;
        }
        return !Arrays.stream(words).allMatch(WORDS::contains);
    }

    /** Whether the text is nothing but acknowledgement noises ("uh-huh", "okay yeah"). */
    static boolean isOnlyBackchannel(String text) {
        var words = words(text);
        return words.length > 0 && Arrays.stream(words).allMatch(WORDS::contains);
    }

    static String[] words(String text) {
        var cleaned = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}' -]", " ").strip();
        return cleaned.isEmpty() ? new String[0] : cleaned.split("\\s+");
    }
}
