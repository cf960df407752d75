package dev.dialtone.conversation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.dialtone.llm.ChatStream;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.plugin.ToolOutcome;

/**
 * One agent utterance, from the first segment to the last mark: a greeting, a fixed phrase, or an
 * LLM reply with its tool calls. Like a speech handle, a barge-in cancels this object, and only
 * what it says was heard goes into the history. Owned by the call's thread.
 */
final class Reply {
    /** Where the reply stands with the LLM, which decides what a barge-in leaves in the history. */
    enum Stage {
        /** A greeting or fixed phrase: the LLM is not involved. */
        FIXED,
        /** An LLM round is streaming: nothing of this round is in the history yet. */
        STREAMING,
        /** The round's tool calls are in the history; their results are not all back. */
        TOOLS,
        /** The LLM is done: its last message, if it said anything, is in the history. */
        SAID
    }

    final long id;
    final boolean interruptible;
    Turn turn;                          // a speculative reply's is a draft until its turn really ends
    final Segmenter segmenter = new Segmenter();
    final List<Segment> segments = new ArrayList<>();
    final StringBuilder text = new StringBuilder();      // the assistant message being generated
    final List<ToolCall> toolCalls = new ArrayList<>();   // calls of the current LLM round
    final Map<String, ToolOutcome> toolResults = new LinkedHashMap<>();
    ChatStream stream;                  // the running LLM round, if any
    int round = -1;                     // LLM rounds so far (a round ends in text or in tool calls)
    Optional<CallAction> toolAction = Optional.empty(); // asked for by a tool of this round
    boolean generating;                 // more segments may still come
    Stage stage = Stage.FIXED;
    final Map<Integer, Integer> roundPositions = new TreeMap<>(); // LLM round -> its message's place in the history
    Optional<CallAction> afterPlayed = Optional.empty(); // hang up or transfer once all is heard
    long startedNanos;
    long lastHeardNanos;                // the last time the caller was hearing it (or the turn ended)
    long pausedNanos;                   // when a suspected barge-in stopped the line; 0 while not paused
    long pauseDetectedNanos;            // when the caller speech that paused it was detected

    /** Where the caller was in the reply: {@code bytes} of {@code segment}'s audio heard. */
    record Position(Segment segment, int bytes) {
    }

    Reply(long id, boolean interruptible, Turn turn, long startedNanos) {
        this.id = id;
        this.interruptible = interruptible;
        this.turn = turn;
        this.startedNanos = startedNanos;
    }

    /** When its first audio went to the line; 0 before. */
    long firstSentNanos() {
        return segments.stream().mapToLong(s -> s.firstSentNanos).filter(t -> t != 0).min().orElse(0);
    }

    boolean toolsRunning() {
        return stage == Stage.TOOLS && toolResults.size() < toolCalls.size();
    }

    /** Whether everything it will say has been said and heard. */
    boolean finished() {
        return !generating && stream == null && !toolsRunning()
               && segments.stream().allMatch(s -> s.played() || s.failed);
    }

    /** Whether the caller is hearing (or about to hear) it now: what a barge-in would cut. */
    boolean audible() {
        return segments.stream().anyMatch(s -> s.bytesSent > 0 && !s.played());
    }

    /**
     * What the caller heard by {@code now}: whole segments whose marks came back, then the share of
     * the playing segment given by its elapsed playback time, cut at a word boundary.
     */
    String heard(long now) {
        return heard(now, Integer.MIN_VALUE);
    }

    /** What the caller heard of the text written by LLM round {@code round} (all rounds: MIN_VALUE). */
    String heard(long now, int round) {
        long at = pausedNanos != 0 ? Math.min(now, pausedNanos) : now; // a paused line plays nothing
        var out = new StringBuilder();
        long playStart = startedNanos;
        for (var segment : segments) {
            boolean counted = round == Integer.MIN_VALUE || segment.round == round;
            if (segment.played()) {
                if (counted) {
                    append(out, segment.text);
                }
                playStart = segment.echoedNanos;
                continue;
            }
            if (segment.bytesSent > 0 && counted) {
                double fraction = Math.min(1.0, playedNanos(segment, playStart, at) / (double) segment.audioNanos());
                append(out, wordsUpTo(segment.text, fraction));
            }
            break;
        }
        return out.toString();
    }

    /** The segment on the line at {@code at} and how much of its audio had played, if one was. */
    Optional<Position> position(long at) {
        long playStart = startedNanos;
        for (var segment : segments) {
            if (segment.played()) {
                playStart = segment.echoedNanos;
                continue;
            }
            if (segment.bytesSent == 0) {
                return Optional.empty();
            }
            long bytes = Math.min(segment.bytesSent, playedNanos(segment, playStart, at) / 125_000L);
            return Optional.of(new Position(segment, (int) bytes));
        }
        return Optional.empty();
    }

    /** Nanoseconds of a segment's audio played by {@code at}: since it started (or resumed) playing. */
    private static long playedNanos(Segment segment, long playStart, long at) {
        long start = Math.max(playStart, segment.firstSentNanos);
        long offset = 0;
        if (segment.resumedNanos != 0) {
            start = Math.max(start, segment.resumedNanos);
            offset = segment.resumedFromBytes * 125_000L;
        }
        return offset + Math.max(0, at - start);
    }

    static String wordsUpTo(String text, double fraction) {
        int limit = (int) Math.floor(text.length() * fraction);
        if (limit >= text.length()) {
            return text;
        }
        int cut = text.lastIndexOf(' ', limit);
        if (limit < text.length() && limit > 0 && text.charAt(limit) == ' ') {
            cut = limit;
        }
        return cut <= 0 ? "" : text.substring(0, cut);
    }

    private static void append(StringBuilder out, String text) {
        if (text.isEmpty()) {
            return;
        }
        if (!out.isEmpty()) {
            out.append(' ');
        }
        out.append(text);
    }
}
