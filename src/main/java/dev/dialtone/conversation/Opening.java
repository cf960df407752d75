package dev.dialtone.conversation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.dialtone.flow.FlowNode;

/**
 * How a call begins, for {@link Conversation} (on the call's thread): the recording consent line
 * before anything else, the greeting (or the start node's line) held on an outbound call until
 * Twilio's answering-machine detection says who answered, the voicemail message for a machine,
 * and the flow's screening line for a call screener's question.
 */
final class Opening {
    /**
     * The longest the greeting waits for machine detection: Twilio answers within its
     * MachineDetectionTimeout (30 s by default), with {@code unknown} at worst; a callback that never
     * arrives (refused, lost) must not leave the callee in silence.
     */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(35);
    /** What the call notes when the wait ran out. */
    static final String NO_ANSWER = "no_detection_answer";

    /** What the conversation does for the opening. */
    interface Call {
        void hangUp(String reason);

        void armSilenceTimer();
    }

    private final CallScope scope;
    private final Speaking speaking;
    private final Call call;
    private boolean awaitingAnswer;
    private Optional<String> consent = Optional.empty();

    Opening(CallScope scope, Speaking speaking, Call call) {
        this.scope = scope;
        this.speaking = speaking;
        this.call = call;
    }

    /** An outbound call: hold the greeting for machine detection, if the flow leaves voicemail. */
    void awaitAnswer() {
        awaitingAnswer = scope.flow.flow().phone().voicemail().isPresent();
    }

    /** The call is recorded: say the flow's consent line (if any) first. */
    void recorded() {
        consent = scope.flow.flow().phone().recording().flatMap(r -> r.consent());
    }

    /** The fixed lines this opening may say, to cache at the start. */
    List<String> lines() {
        var lines = new ArrayList<String>();
        consent.ifPresent(lines::add);
        scope.flow.flow().phone().voicemail().ifPresent(lines::add);
        return lines;
    }

    /** At the start of the stream: the first words, unless they wait for machine detection. */
    void start(boolean resumed) {
        if (!awaitingAnswer) {
            open(resumed);
            return;
        }
        scope.clock.schedule(ANSWER_WAIT, () -> scope.post.accept(new CallEvent.AnsweredBy(NO_ANSWER)));
    }

    /** The consent line if the call is recorded, then the greeting or the node's line. */
    private void open(boolean resumed) {
        var greeting = scope.flow.flow().greeting().map(t -> t.render(scope.values()));
        var nodeSay = scope.node().flatMap(scope::entryLine); // readies the start node's collection too
        var opening = greeting.isPresent() && !resumed
                ? Optional.of(greeting.get() + scope.collectPrompt().map(p -> " " + p).orElse("")) : nodeSay;
        if (consent.isPresent()) {
            speaking.speakPhrase(consent.get(), opening.map(CallAction.Say::new));
            return;
        }
        opening.ifPresentOrElse(text -> speaking.speakPhrase(text, Optional.empty()), call::armSilenceTimer);
    }

    /** Twilio's answering-machine detection answered: a machine hears the voicemail message after its beep, a human the greeting. */
    void onAnsweredBy(String answeredBy, boolean resumed) {
        if (!awaitingAnswer) {
            return; // inbound, no voicemail in the flow, or already decided
        }
        scope.transcript.note(scope.clock.now(), "answered_by", answeredBy);
        switch (answeredBy) {
            case "machine_end_beep", "machine_end_silence", "machine_end_other" -> {
                awaitingAnswer = false;
                speaking.interrupt();
                speaking.speakPhrase(scope.flow.flow().phone().voicemail().orElseThrow(),
                                     Optional.of(new CallAction.HangUp("voicemail left")));
            }
            case "fax" -> {
                awaitingAnswer = false;
                call.hangUp("fax answered");
            }
            case "machine_start" -> {
                // DetectMessageEnd reports a machine at the end of its greeting; keep waiting for that
            }
            default -> { // human, unknown: go on with the conversation
                awaitingAnswer = false;
                if (speaking.current().isEmpty()) {
                    open(resumed);
                }
            }
        }
    }

    /** Answers a call screener's question with the flow's screening line; whether the turn was one. */
    boolean answeredScreener(Turn turn) {
        var screening = scope.flow.flow().phone().screening();
        if (screening.isEmpty() || !Screening.asks(turn.callerText)) {
            return false;
        }
        scope.transcript.note(scope.clock.now(), "screening", "answered");
        speaking.answerWith(turn, screening.get());
        return true;
    }
}
