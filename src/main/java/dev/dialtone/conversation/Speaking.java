package dev.dialtone.conversation;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ToolSpec;

/**
 * The agent's side of a call: one {@link Reply} at a time, from the LLM's stream (or a fixed
 * line) through the segmenter and the voice to the marks that say it was heard; barge-in and
 * failures cut it to what the caller heard. What happens after a reply (its hang-up, the next
 * turn, the silence timer) and what its tool calls do are the {@link Listener}'s. Call's thread only.
 */
final class Speaking {
    private static final System.Logger LOG = System.getLogger(Conversation.class.getName());
    /**
     * The most silence a reply may leave after the caller's turn (or after its last audio) before
     * it is given up and apologised for; with the STT's endpointing this keeps dead air under 3 s.
     */
    static final Duration DEAD_AIR = Duration.ofMillis(2000);
    private static final Duration DEAD_AIR_CHECK = Duration.ofMillis(250);
    private static final int DEFAULT_MAX_TOKENS = 400;
    /** A paused reply plays on once the caller has been silent this long (a backchannel, a cough, noise). */
    static final Duration RESUME_AFTER = Duration.ofMillis(250);
    /** How often a paused reply looks at the caller's silence. */
    static final Duration RESUME_CHECK = Duration.ofMillis(50);
    /** A pause that lasts this long with the caller still making sound is an interruption. */
    static final Duration MAX_PAUSE = Duration.ofMillis(2000);

    /** What a reply hands back to the conversation. */
    interface Listener {
        /** The reply has been said and heard in full (or has nothing more to say). */
        void replyFinished(Reply reply);

        /** An LLM round ended in tool calls: run them. */
        void toolsCalled(Reply reply);

        /** A new reply is about to use the voice (a speculative one holding it must give way). */
        void replyStarting();
    }

    private final CallScope scope;
    private final Listener listener;
    private Reply reply;

    Speaking(CallScope scope, Listener listener) {
        this.scope = scope;
        this.listener = listener;
    }

    /** The reply being said, if any. */
    Optional<Reply> current() {
        return Optional.ofNullable(reply);
    }

    /** Whether caller speech may cut the agent off now. */
    boolean interruptible() {
        return reply != null && reply.interruptible && scope.flow.flow().turn().interruptions();
    }

    /** Whether the caller is hearing (or about to hear) the reply now. */
    boolean audible() {
        return reply != null && reply.audible();
    }

    /** Whether a suspected barge-in holds the reply (the line is stopped, the rest kept). */
    boolean paused() {
        return reply != null && reply.pausedNanos != 0;
    }

    /**
     * The first sign of caller speech over the agent (a VAD onset, the STT's speech start): the
     * line stops at once and the rest of the reply is held, while the LLM and TTS go on. The
     * caller's next sounds decide: words or sustained speech commit the barge-in, silence resumes.
     */
    void pause(long detectedAt) {
        var r = reply;
        long now = scope.clock.nanos();
        r.pausedNanos = now;
        r.pauseDetectedNanos = detectedAt;
        r.segments.stream().filter(s -> !s.played()).forEach(Segment::renameMark);
        scope.voice.pause();
        r.turn.bargeIn(Turn.BargeInStep.PAUSED, now, r.firstSentNanos());
        scope.timers.checkResume(r.id, RESUME_CHECK);
        LOG.log(System.Logger.Level.DEBUG, "Call {0}: paused for caller speech", scope.call.sid());
    }

    /**
     * The resume check of reply {@code id}: once the caller has been silent for {@link #RESUME_AFTER}
     * (by {@code lastSpeechNanos}) the held reply plays on from the word where it stopped; a caller
     * who keeps making sound for {@link #MAX_PAUSE} has interrupted.
     */
    void onResumeCheck(long id, long lastSpeechNanos) {
        var r = reply;
        if (r == null || r.id != id || r.pausedNanos == 0) {
            return;
        }
        long now = scope.clock.nanos();
        if (now - Math.max(r.pausedNanos, lastSpeechNanos) >= RESUME_AFTER.toNanos()) {
            var at = r.position(r.pausedNanos);
            int from = scope.voice.resume(at.map(Reply.Position::segment), at.map(Reply.Position::bytes).orElse(0));
            at.ifPresent(p -> {
                p.segment().resumedNanos = now;
                p.segment().resumedFromBytes = from;
            });
            r.pausedNanos = 0;
            r.lastHeardNanos = now;
            r.turn.bargeIn(Turn.BargeInStep.RESUMED, now, r.firstSentNanos());
            LOG.log(System.Logger.Level.DEBUG, "Call {0}: resumed after {1} ms", scope.call.sid(),
                    (now - r.pauseDetectedNanos) / 1_000_000);
        } else if (now - r.pausedNanos >= MAX_PAUSE.toNanos()) {
            bargeIn(r.pauseDetectedNanos);
        } else {
            scope.timers.checkResume(r.id, RESUME_CHECK);
        }
    }

    /** Answers a caller's turn with the LLM. */
    void answer(Turn turn) {
        listener.replyStarting();
        scope.history.caller(turn.callerText);
        var r = new Reply(scope.nextId(), true, turn, scope.clock.nanos());
        r.generating = true;
        reply = r;
        requestLlm(r, scope.history.messages());
        r.lastHeardNanos = turn.sttFinal;
        scope.timers.watchDeadAir(r.id, DEAD_AIR_CHECK);
    }

    /** Answers a caller's turn with a fixed line instead of the LLM (a call screener's question). */
    void answerWith(Turn turn, String line) {
        listener.replyStarting();
        scope.history.caller(turn.callerText);
        reply = new Reply(scope.nextId(), true, turn, scope.clock.nanos());
        endWith(reply, line, Optional.empty());
    }

    /** Speaks a fixed line as a reply of its own (cached audio when available), then does {@code after}. */
    void speakPhrase(String text, Optional<CallAction> after) {
        listener.replyStarting();
        reply = new Reply(scope.nextId(), true, scope.newTurn(), scope.clock.nanos());
        endWith(reply, text, after);
    }

    /** Takes over a reply prepared before {@code turn} ended ({@link Speculation}): its held audio plays, a kept round end is handled. */
    void adopt(Reply r, Turn turn, Optional<CallEvent.Llm> end) {
        scope.history.caller(turn.callerText);
        turn.prepared(r.turn);
        r.turn = turn;
        reply = r;
        r.lastHeardNanos = turn.sttFinal;
        scope.timers.watchDeadAir(r.id, DEAD_AIR_CHECK);
        scope.voice.resume(Optional.empty(), 0);
        noteFirstAudio(r, scope.clock.nanos());
        end.ifPresent(e -> onLlm(r, e));
    }

    /** Starts the next LLM round of a reply (the first, or the one after its tools). */
    void requestLlm(Reply r) {
        requestLlm(r, scope.history.messages());
    }

    /** Starts an LLM round of a reply on {@code messages} (the history, or the history and a speculated turn). */
    void requestLlm(Reply r, List<ChatMessage> messages) {
        r.round++;
        r.stage = Reply.Stage.STREAMING;
        r.text.setLength(0);
        r.toolCalls.clear();
        r.toolResults.clear();
        r.toolAction = Optional.empty();
        var block = scope.flow.flow().llm();
        var specs = scope.flow.toolsAt(scope.node()).stream()
                              .map(t -> new ToolSpec(t.name(), t.description(), t.parametersSchema())).toList();
        var request = new ChatRequest(block.model().orElse(ProviderCatalog.defaultModel(block.provider())),
                                      block.temperature(), Optional.of(block.intExtra("max_tokens").orElse(DEFAULT_MAX_TOKENS)),
                                      scope.systemPrompt(), messages, specs);
        long replyId = r.id;
        r.stream = scope.llm.stream(request, e -> scope.post.accept(new CallEvent.Llm(replyId, e, scope.clock.nanos())));
    }

    void onLlm(CallEvent.Llm event) {
        var r = reply;
        if (r != null && event.reply() == r.id) {
            onLlm(r, event);
        } // else a cancelled reply
    }

    /** An event of reply {@code r}'s LLM round (the current reply's, or a speculative one's tokens). */
    void onLlm(Reply r, CallEvent.Llm event) {
        switch (event.event()) {
            case ChatEvent.TextDelta delta -> {
                if (r.turn.llmFirstToken == 0) {
                    r.turn.llmFirstToken = event.atNanos();
                }
                r.text.append(delta.text());
                r.segmenter.add(delta.text()).forEach(text -> say(r, text, r.round));
            }
            case ChatEvent.ToolCallReady ready -> r.toolCalls.add(ready.call());
            case ChatEvent.Done done -> {
                r.stream = null;
                r.turn.llmInputTokens += done.usage().inputTokens();
                r.turn.llmOutputTokens += done.usage().outputTokens();
                r.segmenter.flush().ifPresent(text -> say(r, text, r.round));
                if (!r.toolCalls.isEmpty()) {
                    r.stage = Reply.Stage.TOOLS;
                    r.roundPositions.put(r.round, scope.history.toolCalls(r.text.toString(), r.toolCalls));
                    listener.toolsCalled(r);
                    return;
                }
                r.generating = false;
                r.stage = Reply.Stage.SAID;
                scope.voice.endOfReply();
                int position = scope.history.agent(r.text.toString());
                if (position >= 0) {
                    r.roundPositions.put(r.round, position);
                }
                maybeFinish(r);
            }
            case ChatEvent.Failed failed -> {
                r.stream = null;
                fail(r, "llm", failed.error().toString());
            }
        }
    }

    /** Says a piece of a reply: text of LLM round {@code round}, or a fixed line ({@code round} -1). */
    void say(Reply r, String text, int round) {
        var segment = new Segment(scope.nextId(), text, round);
        r.segments.add(segment);
        if (r.turn.firstSegment == 0 && round >= 0) {
            r.turn.firstSegment = scope.clock.nanos();
        }
        boolean fixed = round < 0;
        if (!fixed || !scope.voice.hasCached(text)) {
            r.turn.ttsCharacters += text.length();
        }
        scope.voice.speak(segment, fixed);
        noteFirstAudio(r, scope.clock.nanos());
    }

    /** The reply ends with a fixed line, then (optionally) hangs up or transfers. */
    void endWith(Reply r, String line, Optional<CallAction> after) {
        r.generating = false;
        r.afterPlayed = after;
        say(r, line, -1);
        scope.voice.endOfReply();
        maybeFinish(r);
    }

    void onTts(CallEvent.Tts event) {
        boolean failed = scope.voice.onTts(event);
        var r = reply;
        if (r == null) {
            return;
        }
        noteFirstAudio(r, event.atNanos());
        if (failed) {
            scope.metrics.failure("tts");
            scope.transcript.note(scope.clock.now(), "error", "tts failed");
            if (r.segments.stream().noneMatch(s -> s.bytesSent > 0 && !s.failed)) {
                fail(r, "tts", "speech synthesis failed");
                return;
            }
        }
        maybeFinish(r);
    }

    void onMark(CallEvent.MarkEchoed mark) {
        var r = reply;
        if (r == null) {
            return; // marks of a cut reply come back after the clear: they prove nothing was heard
        }
        for (var segment : r.segments) {
            if (segment.mark.equals(mark.name())) {
                segment.echoedNanos = mark.atNanos();
            }
        }
        maybeFinish(r);
    }

    /** The dead-air watchdog of reply {@code id} fired. */
    void onDeadAirCheck(long id) {
        if (reply != null && reply.id == id) {
            checkDeadAir(reply);
        }
    }

    /** The caller spoke over the agent: stop at once and keep only what was heard. */
    void bargeIn(long detectedAt) {
        var r = reply;
        boolean wasPaused = r.pausedNanos != 0; // then the line stopped at the pause
        r.turn.bargeIn = wasPaused ? r.pauseDetectedNanos : detectedAt;
        cut(r, true);
        r.turn.cleared = wasPaused ? r.pausedNanos : scope.clock.nanos();
        r.turn.bargeIn(Turn.BargeInStep.COMMITTED, scope.clock.nanos(), r.firstSentNanos());
        r.turn.interrupted = true;
        scope.finishTurn(r.turn);
        LOG.log(scope.contentLevel(System.Logger.Level.DEBUG), "Call {0}: barge-in, heard \"{1}\"", scope.call.sid(), r.turn.agentText);
    }

    /** Stops whatever is being said (an action or a time limit takes over). */
    void interrupt() {
        if (reply != null) {
            var r = reply;
            cut(r, true);
            scope.finishTurn(r.turn);
        }
    }

    /** The call is ending: stops the reply without clearing the line. */
    void stop() {
        if (reply != null) {
            cut(reply, false);
        }
    }

    /**
     * A reply that leaves the caller in silence for {@link #DEAD_AIR} (slow or stalled LLM or TTS)
     * is given up with an apology. Running tools are bounded by their own time limits.
     */
    private void checkDeadAir(Reply r) {
        long now = scope.clock.nanos();
        if (scope.voice.playing() || r.pausedNanos != 0) {
            r.lastHeardNanos = now; // a pause is the caller's doing, not dead air
        }
        long quiet = now - r.lastHeardNanos;
        if (quiet >= DEAD_AIR.toNanos()) {
            if (r.toolsRunning()) {
                say(r, scope.phrases.holdOn(), -1); // a slow tool: tell the caller we are still there
                r.lastHeardNanos = now;
            } else {
                fail(r, "timeout", "the caller heard nothing for " + quiet / 1_000_000 + " ms");
                return;
            }
        }
        scope.timers.watchDeadAir(r.id, DEAD_AIR_CHECK);
    }

    private void noteFirstAudio(Reply r, long ttsAt) {
        if (r.turn.firstAudioSent == 0 && r.segments.stream().anyMatch(s -> s.firstSentNanos != 0 && s.round >= 0)) {
            if (r.turn.ttsFirstAudio == 0) { // a speculative reply's audio came before it could play
                r.turn.ttsFirstAudio = ttsAt;
            }
            r.turn.firstAudioSent = scope.clock.nanos();
        }
    }

    private void maybeFinish(Reply r) {
        if (reply != r || !r.finished()) {
            return;
        }
        reply = null;
        scope.timers.cancelDeadAir();
        r.turn.agentText = r.heard(scope.clock.nanos());
        if (r.stage == Reply.Stage.FIXED) {
            scope.history.agent(r.turn.agentText); // a greeting or fixed line: the LLM should know it was said
        }
        scope.finishTurn(r.turn);
        listener.replyFinished(r);
    }

    private void fail(Reply r, String stage, String detail) {
        LOG.log(System.Logger.Level.WARNING, "Call {0}: {1} failed mid-turn: {2}", scope.call.sid(), stage, detail);
        scope.metrics.failure(stage);
        scope.transcript.note(scope.clock.now(), "error", stage + ": " + detail);
        cut(r, true);
        scope.finishTurn(r.turn);
        speakPhrase(scope.phrases.apology(), Optional.empty());
    }

    /**
     * Stops a reply and keeps in the history only what the caller heard of it: each LLM round's
     * message is cut to what was heard of it (an empty one goes), tool calls that were made keep
     * their results and the unfinished ones get a result that says so, as the LLM APIs require.
     * Tool calls of a round still streaming were never made, so they leave no trace.
     */
    private void cut(Reply r, boolean clearLine) {
        long now = scope.clock.nanos();
        r.turn.agentText = r.heard(now);
        if (r.stream != null) {
            r.stream.cancel();
            r.stream = null;
        }
        if (clearLine) {
            scope.voice.interrupt();
        }
        reply = null;
        scope.timers.cancelDeadAir();
        scope.timers.cancelResume();
        // from the last message back, so that removing an empty one moves no other position
        r.roundPositions.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                        .forEach(e -> scope.history.cutAgent(e.getValue(), r.heard(now, e.getKey())));
        switch (r.stage) {
            case TOOLS -> scope.history.interruptedTools(r.toolCalls, r.toolResults);
            case STREAMING -> scope.history.agent(r.heard(now, r.round));
            case FIXED, SAID -> {
            }
        }
        r.stage = Reply.Stage.SAID;
    }
}
