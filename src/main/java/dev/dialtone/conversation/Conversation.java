package dev.dialtone.conversation;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.dialtone.flow.DtmfRoute;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.flow.Node;
import dev.dialtone.flow.TemplateValues;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ToolSpec;
import dev.dialtone.plugin.CallState;
import dev.dialtone.speech.SttEvent;

/**
 * The brain of one call: turn-taking, replies, barge-in, tools, nodes, DTMF, silence and limits.
 * It is driven one {@link CallEvent} at a time by the call's actor thread ({@link CallSession}),
 * which alone touches its state, so it has no locks; tests drive it the same way. The flow
 * version is fixed for the life of the call.
 */
final class Conversation {
    private static final System.Logger LOG = System.getLogger(Conversation.class.getName());
    /**
     * The most silence a reply may leave after the caller's turn (or after its last audio) before
     * it is given up and apologised for; with the STT's endpointing this keeps dead air under 3 s.
     */
    static final Duration DEAD_AIR = Duration.ofMillis(2000);
    private static final Duration DEAD_AIR_CHECK = Duration.ofMillis(250);
    private static final String VOICE_GUIDANCE = "You are speaking on a phone call: answer in short spoken "
            + "sentences, without lists, markdown or emoji.";

    private final CallInfo call;
    private final FlowVersion flow;
    private final ChatModel llm;
    private final Voice voice;
    private final Listener listener;
    private final Line line;
    private final CallClock clock;
    private final Consumer<CallEvent> post;
    private final CallTranscript transcript;
    private final TurnMetrics metrics;
    private final Phrases phrases;
    private final ToolRunner tools;

    // state, owned by the call's thread
    private final History history = new History();
    private final CallTimers timers;
    private final CallState state = new CallState();
    private Optional<String> node;
    private final StringBuilder callerText = new StringBuilder();
    private Reply reply;
    private Turn pendingTurn;
    private int turns;
    private long ids;
    private int reprompts;
    private boolean stopped;

    /** Who is on the call. */
    record CallInfo(String sid, String from, String to) {
    }

    /** The speech-to-text side, which the conversation does not own (the session does). */
    interface Listener {
        /** Whether the event comes from the current STT session. */
        boolean current(CallEvent.Stt event);

        /** The STT failed: open a new session. */
        void reopen();

        /** When the caller last made a sound (System.nanoTime), 0 if never. */
        long lastSpeechNanos();

        /** Caller audio sent to the STT so far. */
        long audioMillis();

        void close();
    }

    Conversation(CallInfo call, FlowVersion flow, ChatModel llm, Voice voice, Listener listener, Line line,
                 CallClock clock, Consumer<CallEvent> post, CallTranscript transcript, TurnMetrics metrics,
                 Phrases phrases) {
        this.call = call;
        this.flow = flow;
        this.llm = llm;
        this.voice = voice;
        this.listener = listener;
        this.line = line;
        this.clock = clock;
        this.post = post;
        this.transcript = transcript;
        this.metrics = metrics;
        this.phrases = phrases;
        this.node = flow.startNode();
        this.tools = new ToolRunner(call, flow.name(), state, post, clock);
        this.timers = new CallTimers(clock, post);
    }

    /** Stream started: greet, and start the call's time limit. */
    void start() {
        transcript.started();
        listener.reopen();
        voice.prepare(List.of(phrases.apology(), phrases.reprompt(), phrases.goodbye(), phrases.holdOn()));
        node.ifPresent(transcript::node);
        timers.limitCall(flow.flow().turn().maxCall());
        var greeting = flow.flow().greeting().map(t -> t.render(values()));
        var nodeSay = node.flatMap(flow.flow()::node).flatMap(Node::say).map(t -> t.render(values()));
        var opening = greeting.isPresent() ? greeting : nodeSay;
        opening.ifPresentOrElse(text -> speakPhrase(text, Optional.empty()), this::armSilenceTimer);
    }

    void handle(CallEvent event) {
        if (stopped) {
            return;
        }
        LOG.log(System.Logger.Level.TRACE, "Call {0}: {1}", call.sid(), event);
        switch (event) {
            case CallEvent.Stt stt -> onStt(stt);
            case CallEvent.Llm llmEvent -> onLlm(llmEvent);
            case CallEvent.Tts tts -> onTts(tts);
            case CallEvent.MarkEchoed mark -> onMark(mark);
            case CallEvent.ToolFinished done -> onToolFinished(done);
            case CallEvent.Digit digit -> onDigit(digit.digit());
            case CallEvent.TypedTurn typed -> onTyped(typed.text());
            case CallEvent.Action action -> onAction(action.action());
            case CallEvent.TimerFired timer -> onTimer(timer);
            case CallEvent.StreamEnded ended -> stop("caller hung up");
            case CallEvent.CallerSpeaking speaking -> {
                callerActive();
                if (interruptible() && reply.audible()) {
                    bargeIn(speaking.atNanos());
                }
            }
            case CallEvent.CallerAudio audio -> {
                // audio goes straight from the socket to the STT; nothing to do here
            }
        }
    }

    /** Ends the call's work: cancels what runs, closes providers, closes the record. */
    void stop(String reason) {
        if (stopped) {
            return;
        }
        if (reply != null) {
            cutReply(reply, false);
        }
        stopped = true;
        timers.cancelAll();
        voice.close();
        listener.close();
        transcript.usage(flow.flow().stt().provider(), "stt_audio_ms", listener.audioMillis(), 0);
        transcript.end(clock.now(), reason);
    }

    // ---- the caller speaks

    private void onStt(CallEvent.Stt event) {
        if (!listener.current(event)) {
            return;
        }
        int minWords = flow.flow().turn().minInterruptWords();
        switch (event.event()) {
            case SttEvent.SpeechStarted started -> {
                callerActive();
                if (minWords <= 0 && interruptible()) {
                    bargeIn(event.atNanos());
                }
            }
            case SttEvent.Interim interim -> {
                if (!interim.text().isBlank()) {
                    callerActive();
                }
                if (interruptible() && Backchannel.interrupts(interim.text(), minWords)) {
                    bargeIn(event.atNanos());
                }
            }
            case SttEvent.Final f -> onFinal(f, event.atNanos(), minWords);
            case SttEvent.UtteranceEnd end -> {
                if (!callerText.isEmpty()) {
                    endOfTurn(event.atNanos());
                }
            }
            case SttEvent.Failed failed -> {
                LOG.log(System.Logger.Level.WARNING, "Call {0}: STT failed: {1}", call.sid(), failed.error());
                transcript.note(clock.now(), "error", "stt: " + failed.error().message());
                metrics.failure("stt");
                listener.reopen();
                if (reply == null) {
                    speakPhrase(phrases.apology(), Optional.empty());
                }
            }
            case SttEvent.Closed closed -> {
            }
        }
    }

    private void onFinal(SttEvent.Final f, long at, int minWords) {
        var text = f.text().strip();
        if (!text.isEmpty()) {
            callerActive();
            if (interruptible() && Backchannel.interrupts(text, minWords)) {
                bargeIn(at);
            }
            boolean listeningNoise = reply != null && reply.audible() && Backchannel.isOnlyBackchannel(text);
            if (!listeningNoise) {
                if (!callerText.isEmpty()) {
                    callerText.append(' ');
                }
                callerText.append(text);
            }
        }
        if (f.speechFinal() && !callerText.isEmpty()) {
            endOfTurn(at);
        }
    }

    private void onTyped(String text) {
        callerActive();
        if (interruptible()) {
            bargeIn(clock.nanos());
        }
        callerText.setLength(0);
        callerText.append(text.strip());
        if (!callerText.isEmpty()) {
            endOfTurn(clock.nanos());
        }
    }

    private void endOfTurn(long at) {
        var turn = newTurn();
        turn.callerText = callerText.toString();
        callerText.setLength(0);
        long speechEnd = listener.lastSpeechNanos();
        turn.speechEnd = speechEnd != 0 && speechEnd <= at ? speechEnd : at;
        turn.sttFinal = at;
        transcript.update(turn);
        if (reply != null) {
            pendingTurn = turn; // the agent is still speaking and may not be interrupted: answer next
            return;
        }
        startReply(turn);
    }

    private void callerActive() {
        reprompts = 0;
        timers.cancelSilence();
    }

    // ---- the agent replies

    private void startReply(Turn turn) {
        history.caller(turn.callerText);
        var r = new Reply(++ids, true, turn, clock.nanos());
        r.generating = true;
        reply = r;
        requestLlm(r);
        r.lastHeardNanos = turn.sttFinal;
        watchDeadAir(r, DEAD_AIR_CHECK);
    }

    private void watchDeadAir(Reply r, Duration after) {
        timers.watchDeadAir(r.id, after);
    }

    /**
     * A reply that leaves the caller in silence for {@link #DEAD_AIR} (slow or stalled LLM or TTS)
     * is given up with an apology. Running tools are bounded by their own time limits.
     */
    private void checkDeadAir(Reply r) {
        long now = clock.nanos();
        if (voice.playing()) {
            r.lastHeardNanos = now;
        }
        long quiet = now - r.lastHeardNanos;
        if (quiet >= DEAD_AIR.toNanos()) {
            if (r.toolsRunning()) {
                say(r, phrases.holdOn(), -1); // a slow tool: tell the caller we are still there
                r.lastHeardNanos = now;
            } else {
                fail(r, "timeout", "the caller heard nothing for " + quiet / 1_000_000 + " ms");
                return;
            }
        }
        watchDeadAir(r, DEAD_AIR_CHECK);
    }

    private void requestLlm(Reply r) {
        r.round++;
        r.stage = Reply.Stage.STREAMING;
        r.text.setLength(0);
        r.toolCalls.clear();
        r.toolResults.clear();
        r.toolAction = Optional.empty();
        var block = flow.flow().llm();
        var specs = flow.toolsAt(node).stream()
                        .map(t -> new ToolSpec(t.name(), t.description(), t.parametersSchema())).toList();
        var request = new ChatRequest(block.model().orElse(ProviderCatalog.defaultModel(block.provider())),
                                      block.temperature(), Optional.of(block.intExtra("max_tokens").orElse(400)),
                                      systemPrompt(), history.messages(), specs);
        long replyId = r.id;
        r.stream = llm.stream(request, e -> post.accept(new CallEvent.Llm(replyId, e, clock.nanos())));
    }

    private void onLlm(CallEvent.Llm event) {
        var r = reply;
        if (r == null || event.reply() != r.id) {
            return; // a cancelled reply
        }
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
                    runTools(r);
                    return;
                }
                r.generating = false;
                r.stage = Reply.Stage.SAID;
                voice.endOfReply();
                int position = history.agent(r.text.toString());
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

    private void say(Reply r, String text, int round) {
        var segment = new Segment(++ids, text, round);
        r.segments.add(segment);
        if (r.turn.firstSegment == 0 && round >= 0) {
            r.turn.firstSegment = clock.nanos();
        }
        boolean fixed = round < 0;
        if (!fixed || !voice.hasCached(text)) {
            r.turn.ttsCharacters += text.length();
        }
        voice.speak(segment, fixed);
        noteFirstAudio(r, clock.nanos());
    }

    private void onTts(CallEvent.Tts event) {
        boolean failed = voice.onTts(event);
        var r = reply;
        if (r == null) {
            return;
        }
        noteFirstAudio(r, event.atNanos());
        if (failed) {
            metrics.failure("tts");
            transcript.note(clock.now(), "error", "tts failed");
            if (r.segments.stream().noneMatch(s -> s.bytesSent > 0 && !s.failed)) {
                fail(r, "tts", "speech synthesis failed");
                return;
            }
        }
        maybeFinish(r);
    }

    private void noteFirstAudio(Reply r, long ttsAt) {
        if (r.turn.firstAudioSent == 0 && r.segments.stream().anyMatch(s -> s.firstSentNanos != 0 && s.round >= 0)) {
            r.turn.ttsFirstAudio = ttsAt;
            r.turn.firstAudioSent = clock.nanos();
        }
    }

    private void onMark(CallEvent.MarkEchoed mark) {
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

    private void maybeFinish(Reply r) {
        if (reply != r || !r.finished()) {
            return;
        }
        reply = null;
        timers.cancelDeadAir();
        r.turn.agentText = r.heard(clock.nanos());
        if (r.stage == Reply.Stage.FIXED) {
            history.agent(r.turn.agentText); // a greeting or fixed line: the LLM should know it was said
        }
        finishTurn(r.turn);
        if (r.afterPlayed.isPresent()) {
            switch (r.afterPlayed.get()) {
                case CallAction.HangUp hangUp -> hangUpNow(hangUp.reason());
                case CallAction.Transfer transfer -> transferNow(transfer.number());
                default -> {
                }
            }
            return;
        }
        if (pendingTurn != null) {
            var next = pendingTurn;
            pendingTurn = null;
            startReply(next);
            return;
        }
        armSilenceTimer();
    }

    private void finishTurn(Turn turn) {
        transcript.finish(turn);
        // usage is recorded once per turn, not per segment: one store write instead of several
        transcript.usage(flow.flow().llm().provider(), "llm_tokens", turn.llmInputTokens, turn.llmOutputTokens);
        transcript.usage(flow.flow().tts().provider(), "tts_characters", turn.ttsCharacters, 0);
        turn.llmInputTokens = 0;
        turn.llmOutputTokens = 0;
        turn.ttsCharacters = 0;
        metrics.record(turn.view());
    }

    // ---- barge-in and failures

    /** Whether caller speech may cut the agent off now. */
    private boolean interruptible() {
        return reply != null && reply.interruptible && flow.flow().turn().interruptions();
    }

    private void bargeIn(long detectedAt) {
        var r = reply;
        r.turn.bargeIn = detectedAt;
        cutReply(r, true);
        r.turn.cleared = clock.nanos();
        r.turn.interrupted = true;
        finishTurn(r.turn);
        LOG.log(System.Logger.Level.DEBUG, "Call {0}: barge-in, heard \"{1}\"", call.sid(), r.turn.agentText);
    }

    /**
     * Stops a reply and keeps in the history only what the caller heard of it: each LLM round's
     * message is cut to what was heard of it (an empty one goes), tool calls that were made keep
     * their results and the unfinished ones get a result that says so, as the LLM APIs require.
     * Tool calls of a round still streaming were never made, so they leave no trace.
     */
    private void cutReply(Reply r, boolean clearLine) {
        long now = clock.nanos();
        r.turn.agentText = r.heard(now);
        if (r.stream != null) {
            r.stream.cancel();
            r.stream = null;
        }
        if (clearLine) {
            voice.interrupt();
        }
        reply = null;
        timers.cancelDeadAir();
        // from the last message back, so that removing an empty one moves no other position
        r.roundPositions.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                        .forEach(e -> history.cutAgent(e.getValue(), r.heard(now, e.getKey())));
        switch (r.stage) {
            case TOOLS -> history.interruptedTools(r.toolCalls, r.toolResults);
            case STREAMING -> history.agent(r.heard(now, r.round));
            case FIXED, SAID -> {
            }
        }
        r.stage = Reply.Stage.SAID;
    }

    private void fail(Reply r, String stage, String detail) {
        LOG.log(System.Logger.Level.WARNING, "Call {0}: {1} failed mid-turn: {2}", call.sid(), stage, detail);
        metrics.failure(stage);
        transcript.note(clock.now(), "error", stage + ": " + detail);
        cutReply(r, true);
        finishTurn(r.turn);
        speakPhrase(phrases.apology(), Optional.empty());
    }

    // ---- tools

    private void runTools(Reply r) {
        r.stage = Reply.Stage.TOOLS;
        r.roundPositions.put(r.round, history.toolCalls(r.text.toString(), r.toolCalls));
        r.toolCalls.stream()
         .map(c -> flow.tool(c.name(), node))
         .flatMap(Optional::stream)
         .flatMap(t -> t.say().stream())
         .findFirst()
         .ifPresent(filler -> say(r, filler, -1));
        for (var toolCall : r.toolCalls) {
            var tool = flow.tool(toolCall.name(), node);
            if (tool.isEmpty()) {
                r.toolResults.put(toolCall.id(), new dev.dialtone.plugin.ToolOutcome.Failure(
                        "no tool named '" + toolCall.name() + "' is available here"));
                continue;
            }
            tools.run(r.id, toolCall, tool.get(), node);
        }
        if (!r.toolsRunning()) {
            continueAfterTools(r);
        }
    }

    private void onToolFinished(CallEvent.ToolFinished done) {
        var r = reply;
        if (r == null || done.reply() != r.id) {
            return;
        }
        r.toolResults.put(done.call().id(), done.outcome());
        r.turn.tools.add(new Turn.ToolUse(done.call().name(), done.call().argumentsJson(), done.outcome().forModel(),
                                          done.outcome() instanceof dev.dialtone.plugin.ToolOutcome.Failure,
                                          done.millis()));
        transcript.update(r.turn);
        if (!r.toolsRunning()) {
            continueAfterTools(r);
        }
    }

    private void continueAfterTools(Reply r) {
        history.toolResults(r.toolCalls, r.toolResults);
        r.stage = Reply.Stage.SAID; // until the next round streams
        var action = r.toolAction;
        if (action.isEmpty()) {
            requestLlm(r);
            return;
        }
        switch (action.get()) {
            case CallAction.GoTo go -> {
                var say = enterNode(go.node());
                if (say.isPresent()) {
                    endWith(r, say.get(), nodeEnds(go.node()) ? Optional.of(new CallAction.HangUp("flow ended"))
                                                               : Optional.empty());
                } else {
                    requestLlm(r);
                }
            }
            case CallAction.HangUp hangUp -> endWith(r, phrases.goodbye(), action);
            case CallAction.Transfer transfer -> endWith(r, phrases.transferring(), action);
            case CallAction.Say sayAction -> {
                say(r, sayAction.text(), -1);
                requestLlm(r);
            }
        }
    }

    /** The reply ends with a fixed line, then (optionally) hangs up or transfers. */
    private void endWith(Reply r, String line, Optional<CallAction> after) {
        r.generating = false;
        r.afterPlayed = after;
        say(r, line, -1);
        voice.endOfReply();
        maybeFinish(r);
    }

    // ---- actions, DTMF, nodes, timers

    private void onAction(CallAction action) {
        var r = reply;
        if (r != null && r.toolsRunning()) {
            r.toolAction = Optional.of(action); // carried out when the tools are done
            return;
        }
        switch (action) {
            case CallAction.Say say -> speakPhrase(say.text(), Optional.empty());
            case CallAction.HangUp hangUp -> {
                interrupt();
                if (hangUp.reason().equals("operator")) {
                    hangUpNow("operator");
                } else {
                    speakPhrase(phrases.goodbye(), Optional.of(hangUp));
                }
            }
            case CallAction.Transfer transfer -> {
                interrupt();
                speakPhrase(phrases.transferring(), Optional.of(transfer));
            }
            case CallAction.GoTo go -> {
                interrupt();
                enterNode(go.node()).ifPresent(text -> speakPhrase(text,
                        nodeEnds(go.node()) ? Optional.of(new CallAction.HangUp("flow ended")) : Optional.empty()));
            }
        }
    }

    private void onDigit(String digit) {
        callerActive();
        var route = flow.flow().dtmf().get(digit);
        if (route == null) {
            if (interruptible()) {
                bargeIn(clock.nanos());
            }
            callerText.setLength(0);
            callerText.append("(The caller pressed ").append(digit).append(" on the keypad.)");
            endOfTurn(clock.nanos());
            return;
        }
        transcript.note(clock.now(), "dtmf", digit);
        switch (route) {
            case DtmfRoute.ToNode to -> onAction(new CallAction.GoTo(to.node()));
            case DtmfRoute.Transfer transfer -> onAction(new CallAction.Transfer(transfer.number()));
            case DtmfRoute.Hangup hangup -> onAction(new CallAction.HangUp("caller keyed hang-up"));
        }
    }

    /** Moves to a node; returns its entry line, if it has one. An unknown node (a plugin's typo) is ignored. */
    private Optional<String> enterNode(String name) {
        if (flow.flow().node(name).isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Call {0}: no node named {1} in flow {2}", call.sid(), name, flow.name());
            transcript.note(clock.now(), "error", "goto: no node named " + name);
            return Optional.empty();
        }
        node = Optional.of(name);
        transcript.node(name);
        transcript.note(clock.now(), "node", name);
        return flow.flow().node(name).flatMap(Node::say).map(t -> t.render(values()));
    }

    private boolean nodeEnds(String name) {
        return flow.flow().node(name).map(Node::end).orElse(false);
    }

    private void interrupt() {
        if (reply != null) {
            var r = reply;
            cutReply(r, true);
            finishTurn(r.turn);
        }
    }

    /** Speaks a fixed line as a reply of its own (cached audio when available). */
    private void speakPhrase(String text, Optional<CallAction> after) {
        var r = new Reply(++ids, true, newTurn(), clock.nanos());
        reply = r;
        endWith(r, text, after);
    }

    private void onTimer(CallEvent.TimerFired timer) {
        switch (timer.kind()) {
            case SILENCE -> {
                if (!timers.isCurrentSilence(timer) || reply != null || !callerText.isEmpty()) {
                    return;
                }
                reprompts++;
                if (reprompts > 2) {
                    speakPhrase(phrases.goodbye(), Optional.of(new CallAction.HangUp("no answer")));
                } else {
                    speakPhrase(phrases.reprompt(), Optional.empty());
                }
            }
            case MAX_DURATION -> {
                interrupt();
                speakPhrase(phrases.timeLimit(), Optional.of(new CallAction.HangUp("time limit")));
            }
            case RESPONSE_DEADLINE -> {
                var r = reply;
                if (r != null && r.id == timer.generation()) {
                    checkDeadAir(r);
                }
            }
        }
    }

    private void armSilenceTimer() {
        timers.armSilence(flow.flow().turn().silenceReprompt());
    }

    private void hangUpNow(String reason) {
        transcript.note(clock.now(), "hangup", reason);
        line.hangUp();
        stop(reason);
    }

    private void transferNow(String number) {
        transcript.note(clock.now(), "transfer", number);
        line.transfer(number);
        stop("transferred to " + number);
    }

    // ---- helpers

    private Turn newTurn() {
        var turn = new Turn(turns++, clock.now());
        transcript.update(turn);
        return turn;
    }

    private String systemPrompt() {
        var prompt = flow.prompt(node, values());
        return prompt.isEmpty() ? VOICE_GUIDANCE : prompt + "\n\n" + VOICE_GUIDANCE;
    }

    private TemplateValues values() {
        return new TemplateValues(call.from(), call.to(), state.snapshot(),
                                  ZonedDateTime.ofInstant(clock.now(), flow.flow().timezone()));
    }

    /** The history as the LLM will see it next (for tests and the transcript). */
    List<ChatMessage> history() {
        return history.messages();
    }

    Optional<String> node() {
        return node;
    }

    CallState state() {
        return state;
    }
}
