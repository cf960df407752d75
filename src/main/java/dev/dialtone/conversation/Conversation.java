package dev.dialtone.conversation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.plugin.CallState;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TurnThresholds;

/**
 * The brain of one call: it takes the caller's turns, hands them to {@link Speaking} (the agent's
 * replies, barge-in), {@link ToolRound} (tools), {@link Speculation} (replies prepared early) and
 * {@link CallControl} (actions, routed keys), and keeps the turn-taking timers: silence re-prompts,
 * keyed turns and the time limit. It is driven one {@link CallEvent} at a time by
 * the call's actor thread ({@link CallSession}), which alone touches its state (and its parts'),
 * so it has no locks; tests drive it the same way. The flow version is fixed for the call's life.
 */
final class Conversation implements Speaking.Listener {
    private static final System.Logger LOG = System.getLogger(Conversation.class.getName());
    private static final int REPROMPTS = 2;
    /** Keypad digits the flow does not route end the caller's turn once no key has come for this long. */
    static final Duration DIGIT_GAP = Duration.ofMillis(1500);
    /** The most keyed digits one turn carries to the LLM (a flood of keys is not a longer prompt). */
    static final int MAX_DIGITS = 32;
    /** The most text a turn carries to the LLM, however much the caller says while the agent cannot be interrupted. */
    static final int MAX_TURN_CHARS = 4000;

    private final CallScope scope;
    private final Hearing hearing;
    private final Speaking speaking;
    private final ToolRound tools;
    private final DigitCollection collection;
    private final Opening opening;
    private final Speculation speculation;
    private final CallControl control;
    private final TurnPatience patience;
    private final HearingRecovery recovery;

    // turn-taking state, owned by the call's thread
    private final StringBuilder callerText = new StringBuilder();
    private final StringBuilder digits = new StringBuilder(); // keyed, not routed, turn not ended yet
    private Turn pendingTurn;
    private int reprompts;
    private boolean stopped;
    private boolean resumed; // set before start: the call begins mid-flow, without the greeting
    private Optional<String> cameBack = Optional.empty(); // set before start: back from a warm transfer, this line first

    /** Who is on the call. */
    record CallInfo(String sid, String from, String to) {
    }

    /** How the conversation hears the caller: the speech-to-text side, which the session owns. */
    interface Hearing {
        /** Whether the event comes from the current STT session. */
        boolean current(CallEvent.Stt event);

        /** The STT failed: open a new session. */
        void reopen();

        /** Whether the agent can be interrupted now: caller sound is then judged by the VAD, whose onsets pause it. */
        void watch(boolean interruptible);

        /** When the caller last made a sound (System.nanoTime), 0 if never. */
        long lastSpeechNanos();

        /** Caller audio sent to the STT so far. */
        long audioMillis();

        /** New end-of-turn thresholds for the STT, kept across reopens; false if it cannot apply them itself. */
        boolean adjustTurnEnd(TurnThresholds thresholds);

        void close();
    }

    Conversation(CallInfo call, FlowVersion flow, ChatModel llm, Voice voice, Hearing hearing, Line line,
                 CallClock clock, Consumer<CallEvent> post, CallTranscript transcript, TurnMetrics metrics,
                 Phrases phrases) {
        this.scope = new CallScope(call, flow, llm, voice, line, clock, post, transcript, metrics, phrases);
        this.hearing = hearing;
        this.speaking = new Speaking(scope, this);
        this.tools = new ToolRound(scope, speaking);
        this.speculation = new Speculation(scope, speaking);
        this.control = new CallControl(scope, speaking, speculation, this::stop, this::armSilenceTimer);
        this.collection = new DigitCollection(scope, speaking, text -> {
            callerText.setLength(0);
            callerText.append(text);
            endOfTurn(scope.clock.nanos());
        });
        this.patience = new TurnPatience(scope, hearing, CallSession.SpeechInput.options(flow.flow().stt()));
        this.recovery = new HearingRecovery(scope, hearing, speaking);
        this.opening = new Opening(scope, speaking, new Opening.Call() {
            public void hangUp(String reason) {
                control.hangUpNow(reason);
            }

            public void armSilenceTimer() {
                Conversation.this.armSilenceTimer();
            }
        });
    }

    /**
     * Before {@link #start}: the call begins in {@code node} with {@code state} already set, as if it
     * had got there (a flow test that starts mid-flow). The node's line opens the call, not the
     * greeting. An unknown node is refused here, since only a test asks for one.
     */
    void resumeAt(Optional<String> node, Map<String, String> state) {
        state.forEach(scope.state::put);
        node.ifPresent(name -> {
            if (scope.flow.flow().node(name).isEmpty()) {
                throw new IllegalArgumentException("flow " + scope.flow.name() + " has no node named " + name);
            }
            scope.startIn(name);
            resumed = true;
        });
    }

    /**
     * Before {@link #start}: the caller comes back from a warm transfer nobody took. The call goes on
     * in the record it had (turns numbered on), with its state, its history rebuilt from that
     * record's turns, at the node the transfer names (else where it was), and opens with the
     * transfer's line saying so.
     */
    void cameBack(HeldCall call) {
        call.state().forEach(scope.state::put);
        scope.masked.addAll(call.masked());
        var turns = call.transcript().turns();
        for (var turn : turns) {
            scope.history.caller(turn.callerText());
            scope.history.agent(turn.agentText());
        }
        scope.continueAfter(turns.size());
        call.spec().returnNode().or(call::node).ifPresent(scope::startIn);
        resumed = true;
        cameBack = Optional.of(call.spec().returnSay().orElse(scope.phrases.transferMissed()));
    }

    /**
     * Before {@link #start}: an outbound call whose flow leaves voicemail holds its greeting until
     * Twilio's answering-machine detection tells who answered ({@link CallEvent.AnsweredBy}).
     */
    void awaitAnswer() {
        opening.awaitAnswer();
    }

    /** Before {@link #start}: the call is being recorded, so the flow's consent line (if any) is said before anything else. */
    void recorded() {
        opening.recorded();
    }

    /** Stream started: greet (after the recording consent, once a human is known to be there), and start the call's time limit. */
    void start() {
        var phrases = scope.phrases;
        if (cameBack.isEmpty()) {
            scope.transcript.started();
        }
        hearing.reopen();
        patience.follow();
        scope.voice.prepare(List.of(phrases.apology(), phrases.reprompt(), phrases.goodbye(), phrases.holdOn()));
        scope.voice.prepare(opening.lines());
        scope.node().ifPresent(scope.transcript::node);
        scope.timers.limitCall(scope.flow.flow().turn().maxCall());
        cameBack.ifPresentOrElse(line -> speaking.speakPhrase(line, Optional.empty()), () -> opening.start(resumed));
        scope.takeCollectOnEntry().ifPresent(collection::begin);
        hearing.watch(speaking.interruptible() && speaking.audible());
    }

    void handle(CallEvent event) {
        if (stopped) {
            return;
        }
        LOG.log(scope.contentLevel(System.Logger.Level.TRACE), "Call {0}: {1}", scope.call.sid(), event);
        switch (event) {
            case CallEvent.Stt stt -> onStt(stt);
            case CallEvent.Llm llmEvent -> {
                if (!speculation.onLlm(llmEvent)) {
                    speaking.onLlm(llmEvent);
                }
            }
            case CallEvent.Tts tts -> {
                speaking.onTts(tts);
                speculation.onTts(tts);
            }
            case CallEvent.MarkEchoed mark -> speaking.onMark(mark);
            case CallEvent.ToolFinished done -> tools.onToolFinished(done);
            case CallEvent.Digit digit -> onDigit(digit.digit());
            case CallEvent.TypedTurn typed -> onTyped(typed.text());
            case CallEvent.Action action -> control.act(action.action());
            case CallEvent.TimerFired timer -> onTimer(timer);
            case CallEvent.StreamEnded ended -> stop(ended.reason());
            case CallEvent.AnsweredBy answered -> opening.onAnsweredBy(answered.value(), resumed);
            case CallEvent.CallerSpeaking caller -> {
                callerActive();
                if (speaking.interruptible() && speaking.audible()) {
                    speaking.bargeIn(caller.atNanos());
                }
            }
            case CallEvent.CallerVoice voice -> pauseFor(voice.atNanos());
            case CallEvent.CallerAudio audio -> {
                // audio goes straight from the socket to the STT; nothing to do here
            }
        }
        if (!stopped) {
            scope.takeCollectOnEntry().ifPresent(collection::begin); // a node entered, or the tool asked
            patience.follow();
            hearing.watch(speaking.interruptible() && speaking.audible());
        }
    }

    /** Ends the call's work: cancels what runs, closes providers, closes the record. */
    void stop(String reason) {
        if (stopped) {
            return;
        }
        speculation.discard(Turn.SpeculationOutcome.DISCARDED);
        speaking.stop();
        collection.stop();
        stopped = true;
        scope.timers.cancelAll();
        scope.voice.close();
        hearing.close();
        tools.close();
        scope.transcript.usage(scope.flow.flow().stt().provider(), "stt_audio_ms", hearing.audioMillis(), 0);
        if (!control.held()) { // on hold for a warm transfer, the record stays open
            scope.transcript.finalState(scope.values().state());
            scope.transcript.end(scope.clock.now(), reason);
        }
    }

    // ---- the caller speaks

    private void onStt(CallEvent.Stt event) {
        if (!hearing.current(event)) {
            return;
        }
        int minWords = scope.flow.flow().turn().minInterruptWords();
        if (!SttEvent.isTerminal(event.event())) {
            recovery.heard();
        }
        switch (event.event()) {
            case SttEvent.SpeechStarted started -> {
                if (minWords <= 0 && speaking.interruptible()) {
                    callerActive();
                    speaking.bargeIn(event.atNanos());
                } else {
                    pauseFor(event.atNanos());
                }
            }
            case SttEvent.Interim interim -> {
                if (!interim.text().isBlank()) {
                    callerActive();
                    speculation.heard(interim.text());
                    patience.heard();
                }
                if (speaking.interruptible() && Backchannel.interrupts(interim.text(), minWords)) {
                    speaking.bargeIn(event.atNanos());
                }
            }
            case SttEvent.Final f -> onFinal(f, event.atNanos(), minWords);
            case SttEvent.UtteranceEnd end -> {
                if (!callerText.isEmpty() && !patience.hold(true)) {
                    endOfTurn(event.atNanos());
                }
            }
            case SttEvent.Failed failed -> recovery.failed(failed);
            case SttEvent.EagerEndOfTurn eager -> {
                if (mayPrepare()) {
                    speculation.start(callerText.isEmpty() ? eager.text().strip() : callerText + " " + eager.text().strip());
                }
            }
            case SttEvent.TurnResumed resumed -> speculation.resumed();
            case SttEvent.Closed closed -> {
            }
        }
    }

    private void onFinal(SttEvent.Final f, long at, int minWords) {
        var text = f.text().strip();
        if (collection.active() && !text.isEmpty() && collection.heard(text, f.speechFinal())) {
            callerActive();
            return; // digits said, not talk: they go to the collection, not to a turn
        }
        if (!text.isEmpty()) {
            callerActive();
            patience.heard();
            if (speaking.interruptible() && Backchannel.interrupts(text, minWords)) {
                speaking.bargeIn(at);
            }
            boolean listeningNoise = speaking.audible() && Backchannel.isOnlyBackchannel(text);
            if (!listeningNoise) {
                if (!callerText.isEmpty()) {
                    callerText.append(' ');
                }
                callerText.append(text);
            }
        }
        if (f.speechFinal() && !callerText.isEmpty() && !patience.hold(false)) {
            endOfTurn(at);
        } else if (!text.isEmpty()) {
            speculation.finalHeard(callerText.toString()); // a likely end of turn once the caller is quiet
        }
    }

    private void onTyped(String text) {
        callerActive();
        if (collection.active() && collection.heard(text.strip(), true)) {
            return;
        }
        if (speaking.interruptible()) {
            speaking.bargeIn(scope.clock.nanos());
        }
        callerText.setLength(0);
        callerText.append(text.strip());
        if (!callerText.isEmpty()) {
            endOfTurn(scope.clock.nanos());
        }
    }

    /**
     * The caller's turn is over. While the agent is still speaking and may not be interrupted, the
     * turn waits, and whatever the caller says meanwhile joins it: one reply answers it all, never a
     * queue of replies.
     */
    private void endOfTurn(long at) {
        var text = callerText.toString();
        callerText.setLength(0);
        long speechEnd = hearing.lastSpeechNanos();
        if (pendingTurn != null) {
            if (pendingTurn.callerText.length() + text.length() < MAX_TURN_CHARS) {
                pendingTurn.callerText = pendingTurn.callerText + " " + text;
            }
            pendingTurn.speechEnd = speechEnd != 0 && speechEnd <= at ? speechEnd : at;
            pendingTurn.sttFinal = at;
            scope.transcript.update(pendingTurn);
            return;
        }
        var turn = scope.newTurn();
        turn.callerText = text.length() <= MAX_TURN_CHARS ? text : text.substring(0, MAX_TURN_CHARS);
        turn.speechEnd = speechEnd != 0 && speechEnd <= at ? speechEnd : at;
        turn.sttFinal = at;
        scope.transcript.update(turn);
        if (speaking.current().isPresent()) {
            pendingTurn = turn; // the agent is still speaking and may not be interrupted: answer next
            return;
        }
        answer(turn);
    }

    /** A caller's turn: a call screener's question gets the flow's screening line, anything else the LLM's answer. */
    private void answer(Turn turn) {
        if (!opening.answeredScreener(turn) && !speculation.use(turn)) {
            speaking.answer(turn);
        }
    }

    /** Whether a reply may be prepared for a likely end of turn: the agent has nothing else in hand. */
    private boolean mayPrepare() {
        return speaking.current().isEmpty() && pendingTurn == null && !collection.active();
    }

    /** The first sign of caller speech (VAD or STT, whichever is first) pauses an audible reply. */
    private void pauseFor(long detectedAt) {
        callerActive();
        if (speaking.interruptible() && speaking.audible() && !speaking.paused()) {
            speaking.pause(detectedAt);
        }
    }

    private void callerActive() {
        reprompts = 0;
        scope.timers.cancelSilence();
    }

    // ---- after a reply

    @Override
    public void replyFinished(Reply r) {
        if (r.afterPlayed.isPresent()) {
            control.afterPlayed(r.afterPlayed.get());
            return;
        }
        if (pendingTurn != null) {
            var next = pendingTurn;
            pendingTurn = null;
            answer(next);
            return;
        }
        if (collection.active()) {
            collection.promptPlayed(); // the wait for keys, not the silence re-prompt
            return;
        }
        armSilenceTimer();
    }

    @Override
    public void toolsCalled(Reply r) {
        tools.run(r);
    }

    @Override
    public void replyStarting() {
        speculation.discard(Turn.SpeculationOutcome.DISCARDED);
    }

    // ---- DTMF, timers

    private void onDigit(String digit) {
        callerActive();
        if (collection.active()) {
            collection.key(digit); // keys being collected are not routes
            return;
        }
        if (collection.swallowsLateFinish(digit)) {
            return; // "12345678#" for eight digits: the # only finishes what was already complete
        }
        var route = scope.flow.flow().dtmf().get(digit);
        if (route == null) {
            if (speaking.interruptible()) {
                speaking.bargeIn(scope.clock.nanos());
            }
            if (digits.length() < MAX_DIGITS) {
                digits.append(digit);
            }
            scope.timers.armDigits(DIGIT_GAP); // the keys pressed in a row are one turn
            return;
        }
        control.route(digit, route);
    }

    private void onTimer(CallEvent.TimerFired timer) {
        switch (timer.kind()) {
            case SILENCE -> {
                if (!scope.timers.isCurrentSilence(timer) || speaking.current().isPresent() || !callerText.isEmpty()
                        || collection.active()) {
                    return;
                }
                reprompts++;
                if (reprompts > REPROMPTS) {
                    speaking.speakPhrase(scope.phrases.goodbye(), Optional.of(new CallAction.HangUp("no answer")));
                } else {
                    speaking.speakPhrase(scope.phrases.reprompt(), Optional.empty());
                }
            }
            case MAX_DURATION -> {
                speaking.interrupt();
                speaking.speakPhrase(scope.phrases.timeLimit(), Optional.of(new CallAction.HangUp("time limit")));
            }
            case RESPONSE_DEADLINE -> speaking.onDeadAirCheck(timer.generation());
            case RESUME_CHECK -> speaking.onResumeCheck(timer.generation(), hearing.lastSpeechNanos());
            case STT_REOPEN -> recovery.onTimer();
            case QUIET_CHECK -> speculation.onQuietCheck(timer.generation(), hearing.lastSpeechNanos(), mayPrepare());
            case COLLECT -> collection.onTimeout(timer);
            case PATIENCE -> {
                if (patience.due(timer) && !callerText.isEmpty()) {
                    endOfTurn(scope.clock.nanos());
                }
            }
            case DIGITS -> {
                if (scope.timers.isCurrentDigits(timer) && !digits.isEmpty()) {
                    callerText.setLength(0);
                    callerText.append("(The caller pressed ").append(digits).append(" on the keypad.)");
                    digits.setLength(0);
                    endOfTurn(scope.clock.nanos());
                }
            }
        }
    }

    private void armSilenceTimer() {
        scope.timers.armSilence(scope.flow.flow().turn().silenceReprompt());
    }

    // ---- for tests, the text-mode driver and the transcript

    /** Whether the agent has something in hand: a reply being said, or a caller turn waiting for one. */
    boolean busy() {
        return !stopped && (speaking.current().isPresent() || pendingTurn != null);
    }

    /** Whether keys the flow does not route wait for the pause that ends a keyed turn. */
    boolean keysPending() {
        return !stopped && !digits.isEmpty();
    }

    /** The history as the LLM will see it next. */
    List<ChatMessage> history() {
        return scope.history.messages();
    }

    Optional<String> node() {
        return scope.node();
    }

    CallState state() {
        return scope.state;
    }
}
