package dev.dialtone.conversation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One exchange: what the caller said, what the agent said that the caller heard, the tools it
 * used, and when each stage happened (System.nanoTime values, 0 when it did not happen). Owned by
 * the call's thread; {@link #view()} makes the immutable copy that others read.
 */
public final class Turn {
    final int index;
    final Instant startedAt;
    String callerText = "";
    String agentText = "";
    boolean interrupted;
    final List<ToolUse> tools = new ArrayList<>();
    long speechEnd;        // last caller speech frame
    long sttFinal;         // the STT's end of turn
    long llmFirstToken;
    long firstSegment;     // first segment closed and sent to TTS
    long ttsFirstAudio;    // first audio back from TTS
    long firstAudioSent;   // first audio queued to Twilio
    long bargeIn;          // when the caller's interruption was detected
    long cleared;          // when clear went to Twilio
    long llmInputTokens;   // usage, recorded when the turn is complete
    long llmOutputTokens;
    long ttsCharacters;
    final List<BargeIn> bargeIns = new ArrayList<>(); // the agent paused, resumed, was cut off: when
    final List<Guess> guesses = new ArrayList<>();    // speculative replies settled since the last turn, this one's last

    Turn(int index, Instant startedAt) {
        this.index = index;
        this.startedAt = startedAt;
    }

    /** What caller speech over the agent did to its reply. */
    public enum BargeInStep { PAUSED, RESUMED, COMMITTED }

    /** A step of a barge-in, {@code msIntoReply} after the reply's first audio went to the line (0 if none had). */
    public record BargeIn(BargeInStep step, long msIntoReply) {
    }

    /** How a speculative reply ended: played for the turn, dropped for a changed transcript, or dropped because the caller went on. */
    public enum SpeculationOutcome { USED, DISCARDED, RESUMED }

    /** A speculative reply: started and settled {@code startedMs}, {@code settledMs} after the end of the caller's speech (negative: before). */
    public record Speculated(SpeculationOutcome outcome, long startedMs, long settledMs) {
    }

    /** A speculative reply on the call's clock (System.nanoTime values). */
    record Guess(SpeculationOutcome outcome, long startedNanos, long settledNanos) {
    }

    /** One tool call within a turn; {@code finishedAt} on the call's clock. */
    public record ToolUse(String name, String arguments, String result, boolean error, long millis, Instant finishedAt) {
    }

    /**
     * A turn as the API and the store see it. Durations are milliseconds from the end of the
     * caller's speech (empty when the stage did not happen).
     */
    public record View(int index, Instant startedAt, String callerText, String agentText, boolean interrupted,
                       List<ToolUse> tools, Optional<Long> sttFinalMs, Optional<Long> llmFirstTokenMs,
                       Optional<Long> firstSegmentMs, Optional<Long> ttsFirstAudioMs, Optional<Long> firstAudioMs,
                       Optional<Long> bargeInToClearMs, List<BargeIn> bargeIns, List<Speculated> speculations) {
    }

    View view() {
        return new View(index, startedAt, callerText, agentText, interrupted, List.copyOf(tools),
                        since(speechEnd, sttFinal), since(speechEnd, llmFirstToken), since(speechEnd, firstSegment),
                        since(speechEnd, ttsFirstAudio), since(speechEnd, firstAudioSent), since(bargeIn, cleared), List.copyOf(bargeIns),
                        guesses.stream().map(g -> new Speculated(g.outcome(), ms(speechEnd, g.startedNanos()),
                                                                 ms(speechEnd, g.settledNanos()))).toList());
    }

    /** Takes the timings of a reply prepared ahead of this turn's end (a speculation) as its own. */
    void prepared(Turn draft) {
        llmFirstToken = draft.llmFirstToken;
        firstSegment = draft.firstSegment;
        ttsFirstAudio = draft.ttsFirstAudio;
        ttsCharacters += draft.ttsCharacters;
    }

    void bargeIn(BargeInStep step, long atNanos, long replyAudioNanos) {
        bargeIns.add(new BargeIn(step, replyAudioNanos == 0 ? 0 : (atNanos - replyAudioNanos) / 1_000_000));
    }

    private static long ms(long from, long to) {
        return from == 0 ? 0 : (to - from) / 1_000_000;
    }

    private static Optional<Long> since(long from, long to) {
        return from == 0 || to == 0 ? Optional.empty() : Optional.of((to - from) / 1_000_000);
    }
}
