package dev.dialtone.conversation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.speech.TtsEvent;

/**
 * A reply prepared before the caller's turn is known to be over (flow option {@code turn.speculate}),
 * so that it plays as soon as the turn ends instead of only starting then. Call's thread only.
 *
 * <p>The rules:
 * <ul>
 *   <li>It starts on a likely end of turn while the agent has nothing in hand: Flux's
 *   {@code EagerEndOfTurn}, or for other STTs a final transcript (not yet the end of turn) after
 *   which the caller has made no sound (local VAD or energy) for {@link #QUIET}.</li>
 *   <li>The LLM is asked as it would be at the end of the turn (the history plus the caller's words
 *   as a message that the history does not hold yet). Its tokens go through the segmenter to the
 *   voice, which synthesises them but holds the audio off the line ({@link Voice#hold}).</li>
 *   <li>The end of its LLM round is kept, not handled: nothing enters the history and no tool runs
 *   before the turn really ends.</li>
 *   <li>At the real end of turn it is used if the turn's words are those it answered (compared in
 *   lower case, without punctuation): the words join the history, the held audio plays, a kept
 *   round end is handled (its tools run now). Otherwise it is discarded and the turn answered
 *   afresh.</li>
 *   <li>It is discarded at once when the caller goes on (Flux's {@code TurnResumed}, new words in a
 *   transcript), when anything else is about to be said, when its LLM round fails, and when the
 *   call ends. A discarded reply leaves nothing in the history.</li>
 * </ul>
 * Each settled speculation is counted ({@link TurnMetrics#speculation}) and noted on the next turn's
 * record with its timing ({@link Turn#guesses}).
 */
final class Speculation {
    private static final System.Logger LOG = System.getLogger(Conversation.class.getName());
    /** Silence after a final transcript that makes the end of the turn likely enough to start the reply. */
    static final Duration QUIET = Duration.ofMillis(200);

    private final CallScope scope;
    private final Speaking speaking;
    // owned by the call's thread
    private Reply reply;                        // the speculative reply; null when none
    private String words = "";                  // the caller's words it answers
    private Optional<CallEvent.Llm> end = Optional.empty(); // its LLM round's end, kept until the turn ends
    private long startedNanos;
    private String quietWords = "";             // a final transcript waiting for the caller's silence
    private long quietGeneration;
    private final List<Turn.Guess> settled = new ArrayList<>(); // since the last turn: for its record

    Speculation(CallScope scope, Speaking speaking) {
        this.scope = scope;
        this.speaking = speaking;
    }

    /** Whether the flow asks for speculative replies. */
    boolean enabled() {
        return scope.flow.flow().turn().speculate();
    }

    /** Whether a speculative reply is being prepared. */
    boolean active() {
        return reply != null;
    }

    /** A likely end of turn with {@code callerWords}: prepares the reply (again, if the words changed). */
    void start(String callerWords) {
        if (!enabled() || callerWords.isBlank() || callerWords.length() > Conversation.MAX_TURN_CHARS) {
            return; // a turn that long is cut at its end, so a reply prepared on all of it would not be used
        }
        if (reply != null) {
            if (same(callerWords, words)) {
                return;
            }
            discard(Turn.SpeculationOutcome.DISCARDED);
        }
        long now = scope.clock.nanos();
        var r = new Reply(scope.nextId(), true, new Turn(-1, scope.clock.now()), now);
        r.generating = true;
        reply = r;
        words = callerWords;
        startedNanos = now;
        scope.voice.hold();
        var messages = new ArrayList<>(scope.history.messages());
        messages.add(new ChatMessage.User(callerWords));
        speaking.requestLlm(r, messages);
        LOG.log(System.Logger.Level.DEBUG, "Call {0}: speculative reply started", scope.call.sid());
    }

    /**
     * A final transcript that does not end the turn, {@code callerWords} the turn's words so far:
     * a reply prepared for other words is dropped, and once the caller has been silent for
     * {@link #QUIET} (checked by {@link #onQuietCheck}), the reply may start on {@code callerWords}.
     */
    void finalHeard(String callerWords) {
        if (!enabled()) {
            return;
        }
        if (reply != null && !same(callerWords, words)) {
            discard(Turn.SpeculationOutcome.RESUMED); // more words: the caller went on
        }
        quietWords = callerWords;
        long generation = ++quietGeneration;
        scope.timers.checkQuiet(generation, QUIET);
    }

    /** The quiet check armed by {@link #finalHeard}; {@code mayStart} when the agent has nothing in hand. */
    void onQuietCheck(long generation, long lastSpeechNanos, boolean mayStart) {
        if (generation != quietGeneration || quietWords.isEmpty()) {
            return;
        }
        if (lastSpeechNanos == 0) {
            return; // no local sound signal: only the STT's end of turn is to be trusted
        }
        long quiet = scope.clock.nanos() - lastSpeechNanos;
        if (quiet < QUIET.toNanos()) {
            scope.timers.checkQuiet(generation, QUIET.minusNanos(quiet)); // the caller made a sound since the final
            return;
        }
        var callerWords = quietWords;
        quietWords = "";
        if (mayStart) {
            start(callerWords);
        }
    }

    /** Words in a transcript: the caller goes on unless they are the end of the words answered. */
    void heard(String transcript) {
        if (transcript.isBlank()) {
            return;
        }
        quietWords = "";
        if (reply != null && !(" " + normalise(words)).endsWith(" " + normalise(transcript))) {
            discard(Turn.SpeculationOutcome.RESUMED);
        }
    }

    /** The caller went on after a likely end of turn (Flux's TurnResumed). */
    void resumed() {
        quietWords = "";
        discard(Turn.SpeculationOutcome.RESUMED);
    }

    /** Takes an event of the speculative reply's LLM round; false when it is another reply's. */
    boolean onLlm(CallEvent.Llm event) {
        var r = reply;
        if (r == null || event.reply() != r.id) {
            return false;
        }
        switch (event.event()) {
            case ChatEvent.TextDelta delta -> speaking.onLlm(r, event);
            case ChatEvent.ToolCallReady ready -> speaking.onLlm(r, event); // noted; run only once the turn ends
            case ChatEvent.Done done -> {
                r.stream = null;
                end = Optional.of(event);
            }
            case ChatEvent.Failed failed -> discard(Turn.SpeculationOutcome.DISCARDED); // the turn will ask again
        }
        return true;
    }

    /** Notes when the held reply's first audio came back from the TTS; a synthesis failure drops the reply. */
    void onTts(CallEvent.Tts event) {
        if (reply == null) {
            return;
        }
        switch (event.event()) {
            case TtsEvent.Audio audio -> {
                if (reply.turn.ttsFirstAudio == 0 && !reply.segments.isEmpty()) {
                    reply.turn.ttsFirstAudio = event.atNanos();
                }
            }
            case TtsEvent.Failed failed -> {
                if (reply.segments.stream().anyMatch(s -> s.failed)) {
                    discard(Turn.SpeculationOutcome.DISCARDED); // the turn will be answered afresh
                }
            }
            case TtsEvent.SegmentDone done -> {
            }
        }
    }

    /**
     * The caller's turn has really ended: plays the prepared reply if it answers these words and
     * returns true; otherwise discards it (false: answer the turn afresh). Either way the turn's
     * record gets the speculations settled since the last turn.
     */
    boolean use(Turn turn) {
        boolean used = false;
        if (reply != null && same(turn.callerText, words)) {
            var r = reply;
            var kept = end;
            settle(Turn.SpeculationOutcome.USED);
            note(turn);
            speaking.adopt(r, turn, kept);
            used = true;
        } else {
            discard(Turn.SpeculationOutcome.DISCARDED);
            note(turn);
        }
        quietWords = "";
        return used;
    }

    /** Drops the speculative reply, if any: its stream is cancelled and its held audio forgotten. */
    void discard(Turn.SpeculationOutcome outcome) {
        var r = reply;
        if (r == null) {
            return;
        }
        if (r.stream != null) {
            r.stream.cancel();
            r.stream = null;
        }
        scope.voice.interrupt();
        end.ifPresent(e -> {
            if (e.event() instanceof ChatEvent.Done done) { // what it cost is spent all the same
                scope.transcript.usage(scope.flow.flow().llm().provider(), "llm_tokens", done.usage().inputTokens(),
                                       done.usage().outputTokens());
            }
        });
        scope.transcript.usage(scope.flow.flow().tts().provider(), "tts_characters", r.turn.ttsCharacters, 0);
        settle(outcome);
        LOG.log(System.Logger.Level.DEBUG, "Call {0}: speculative reply {1}", scope.call.sid(),
                outcome.name().toLowerCase(Locale.ROOT));
    }

    private void settle(Turn.SpeculationOutcome outcome) {
        settled.add(new Turn.Guess(outcome, startedNanos, scope.clock.nanos()));
        scope.metrics.speculation(outcome);
        reply = null;
        end = Optional.empty();
        words = "";
    }

    private void note(Turn turn) {
        if (!settled.isEmpty()) {
            turn.guesses.addAll(settled);
            settled.clear();
            scope.transcript.update(turn);
        }
    }

    /** Whether two transcripts say the same words: case, punctuation and spacing aside. */
    static boolean same(String a, String b) {
        return normalise(a).equals(normalise(b));
    }

    static String normalise(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}']+", " ").strip();
    }
}
