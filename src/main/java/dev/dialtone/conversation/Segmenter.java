package dev.dialtone.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Locale;

/**
 * Cuts a streaming LLM reply into segments for text-to-speech: at sentence ends, and at clause
 * boundaries when a sentence runs long, so that the first audio waits neither for the whole reply
 * nor for the whole of a long first sentence. Abbreviations ("Dr.", "e.g."), initials, decimals
 * ("3.50"), thousands ("1,000"), times ("10:30"), e-mail addresses and URLs are never cut: a
 * boundary needs its punctuation followed by whitespace, and a period after an abbreviation or a
 * single letter does not count. Not thread-safe: one conversation owns it.
 */
final class Segmenter {
    /** A first segment may end at a clause boundary once it is this long (fast first audio). */
    static final int FIRST_CLAUSE_CHARS = 24;
    /** Later segments end at a clause boundary only when the sentence runs this long. */
    static final int LATER_CLAUSE_CHARS = 90;
    /** With no boundary at all, a segment is cut at a space once it is this long. */
    static final int MAX_CHARS = 220;

    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "a.m", "p.m",
            "no", "inc", "ltd", "co", "corp", "ave", "blvd", "rd", "approx", "apt", "dept", "est", "fig",
            "mt", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
            "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "min", "max", "tel", "ext");

    private final StringBuilder pending = new StringBuilder();
    private boolean firstClosed;

    /** Adds streamed text; returns the segments it closed, in order. */
    List<String> add(String delta) {
        pending.append(delta);
        var out = new ArrayList<String>();
        while (true) {
            int cut = nextCut();
            if (cut < 0) {
                return out;
            }
            emit(cut, out);
        }
    }

    /** The reply ended: the rest, if it holds any words. */
    Optional<String> flush() {
        var rest = pending.toString().strip();
        pending.setLength(0);
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        firstClosed = true;
        return Optional.of(rest);
    }

    /** Forgets everything (barge-in, or a new reply). */
    void reset() {
        pending.setLength(0);
        firstClosed = false;
    }

    private void emit(int cut, List<String> out) {
        var segment = pending.substring(0, cut).strip();
        pending.delete(0, cut);
        while (!pending.isEmpty() && Character.isWhitespace(pending.charAt(0))) {
            pending.deleteCharAt(0);
        }
        if (!segment.isEmpty()) {
            out.add(segment);
            firstClosed = true;
        }
    }

    /** The index just after the next boundary in {@code pending}, or -1 when none is certain yet. */
    private int nextCut() {
        int clauseLimit = firstClosed ? LATER_CLAUSE_CHARS : FIRST_CLAUSE_CHARS;
        int clauseCut = -1;
        // the last char cannot be judged until we see what follows it
        for (int i = 0; i < pending.length() - 1; i++) {
            char c = pending.charAt(i);
            char next = pending.charAt(i + 1);
            if (!Character.isWhitespace(next)) {
                continue;
            }
            if (isSentenceEnd(i, c)) {
                return i + 1;
            }
            if (clauseCut < 0 && i + 1 >= clauseLimit && isClauseEnd(i, c)) {
                clauseCut = i + 1;
            }
        }
        if (clauseCut > 0) {
            return clauseCut;
        }
        if (pending.length() >= MAX_CHARS) {
            int space = pending.lastIndexOf(" ", MAX_CHARS);
            return space > 0 ? space : MAX_CHARS;
        }
        return -1;
    }

    private boolean isSentenceEnd(int i, char c) {
        return switch (c) {
            case '!', '?', '\u2026' -> true;
            case '.' -> !isAbbreviation(i);
            case '\n' -> i > 0 && pending.charAt(i - 1) == '\n';
            default -> false;
        };
    }

    private boolean isClauseEnd(int i, char c) {
        return switch (c) {
            case ',', ';', ':', '\u2014' -> true;
            case '-' -> i > 0 && pending.charAt(i - 1) == ' ';
            default -> false;
        };
    }

    /** Whether the period at {@code dot} ends an abbreviation or an initial rather than a sentence. */
    private boolean isAbbreviation(int dot) {
        int start = dot;
        while (start > 0 && !Character.isWhitespace(pending.charAt(start - 1)) && pending.charAt(start - 1) != '(') {
            start--;
        }
        var word = pending.substring(start, dot).toLowerCase(Locale.ROOT);
        if (word.isEmpty()) {
            return false;
        }
        if (word.length() == 1 && Character.isLetter(word.charAt(0))) {
            return Character.isUpperCase(pending.charAt(start)); // an initial: "J. Smith"
        }
        return ABBREVIATIONS.contains(word);
    }
}
