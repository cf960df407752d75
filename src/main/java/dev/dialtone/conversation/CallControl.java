package dev.dialtone.conversation;

import java.util.Optional;
import java.util.function.Consumer;

import dev.dialtone.flow.DtmfRoute;

/**
 * Call control: what a tool, the operator or a phone key asks of the call (say something, hang up,
 * transfer, go to a node, collect digits), and the hang-up or transfer a reply leads to once it has
 * been heard. An action asked for while tools run waits for them. Call's thread only.
 */
final class CallControl {
    private final CallScope scope;
    private final Speaking speaking;
    private final Speculation speculation;
    private final Consumer<String> stop;      // ends the conversation's work, with the reason
    private final Runnable armSilenceTimer;   // the caller is left to speak
    private boolean held;

    CallControl(CallScope scope, Speaking speaking, Speculation speculation, Consumer<String> stop, Runnable armSilenceTimer) {
        this.scope = scope;
        this.speaking = speaking;
        this.speculation = speculation;
        this.stop = stop;
        this.armSilenceTimer = armSilenceTimer;
    }

    void act(CallAction action) {
        var r = speaking.current();
        if (r.isPresent() && r.get().toolsRunning()) {
            r.get().toolAction = Optional.of(action); // carried out when the tools are done
            return;
        }
        speculation.discard(Turn.SpeculationOutcome.DISCARDED); // the call moves on: a prepared reply is stale
        switch (action) {
            case CallAction.Say say -> speaking.speakPhrase(say.text(), Optional.empty());
            case CallAction.HangUp hangUp -> {
                speaking.interrupt();
                if (hangUp.reason().equals("operator")) {
                    hangUpNow("operator");
                } else {
                    speaking.speakPhrase(scope.phrases.goodbye(), Optional.of(hangUp));
                }
            }
            case CallAction.Transfer transfer -> {
                speaking.interrupt();
                speaking.speakPhrase(scope.phrases.transferring(), Optional.of(transfer));
            }
            case CallAction.GoTo go -> {
                speaking.interrupt();
                // a node with nothing to say leaves the caller to speak: the silence timer runs as after a
                // reply; one that transfers says its line (or the transfer line), then transfers
                var after = scope.afterNode(go.node());
                scope.enterNode(go.node()).ifPresentOrElse(text -> speaking.speakPhrase(text, after), () -> {
                    if (after.isPresent() && after.get() instanceof CallAction.Transfer transfer) {
                        speaking.speakPhrase(scope.phrases.transferring(), Optional.of(transfer));
                    } else {
                        armSilenceTimer.run();
                    }
                });
            }
            case CallAction.CollectDigits collect -> {
                speaking.interrupt();
                collect.collect().prompt().ifPresent(p -> speaking.speakPhrase(p.render(scope.values()), Optional.empty()));
                scope.collectNext(collect.collect());
            }
        }
    }

    /** A phone key the flow routes. */
    void route(String digit, DtmfRoute route) {
        scope.transcript.note(scope.clock.now(), "dtmf", digit);
        switch (route) {
            case DtmfRoute.ToNode to -> act(new CallAction.GoTo(to.node()));
            case DtmfRoute.Transfer transfer -> act(new CallAction.Transfer(transfer.number(), Optional.of(transfer.spec())));
            case DtmfRoute.Hangup hangup -> act(new CallAction.HangUp("caller keyed hang-up"));
        }
    }

    /** What a reply was to lead to, now that it has been heard. */
    void afterPlayed(CallAction after) {
        switch (after) {
            case CallAction.HangUp hangUp -> hangUpNow(hangUp.reason());
            case CallAction.Transfer transfer -> transferNow(transfer);
            case CallAction.Say say -> speaking.speakPhrase(say.text(), Optional.empty()); // the greeting after the consent
            default -> {
            }
        }
    }

    void hangUpNow(String reason) {
        scope.transcript.note(scope.clock.now(), "hangup", reason);
        scope.line.hangUp();
        stop.accept(reason);
    }

    /** Stopped for a warm transfer: the call's record stays open ({@link WarmTransfers} ends or resumes it). */
    boolean held() {
        return held;
    }

    /** A warm transfer holds the call; a cold one ends it. */
    private void transferNow(CallAction.Transfer transfer) {
        var number = transfer.number();
        var spec = transfer.spec().or(() -> scope.flow.flow().transfer().filter(t -> t.to().equals(number)));
        if (spec.isPresent() && spec.get().warm() && scope.line.warmTransfer(HeldCall.of(scope, spec.get()))) {
            held = true;
            stop.accept("on hold for a warm transfer");
            return;
        }
        scope.transcript.note(scope.clock.now(), "transfer", number);
        scope.line.transfer(number);
        stop.accept("transferred to " + number);
    }
}
