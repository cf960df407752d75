package dev.dialtone.conversation;

import dev.dialtone.flow.FlowNode;
import dev.dialtone.flow.Patience;
import dev.dialtone.speech.SttOptions;
import dev.dialtone.speech.TurnThresholds;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A node's {@code patience:} while the call is in it: the caller gets longer pauses before their
 * turn ends (a phone number, a date of birth, an address read out in groups).
 *
 * <p>A provider that can change its end-of-turn thresholds mid-stream (Deepgram Flux, by
 * {@code Configure}) is told on entering and leaving the node, and decides itself. Nova cannot:
 * its {@code endpointing} is fixed when the socket opens. Reopening the socket at each node change
 * would lose the words in flight and add a connection's set-up at the moment the caller starts to
 * answer, so the end of turn is held here instead: when Nova ends a turn after its endpointing (or
 * utterance-end) silence, the end waits on the call's clock for the difference to the node's value;
 * any word in the meantime cancels the wait and the turn goes on. The caller's words are the same;
 * only the moment the turn ends moves. Call's thread only.
 */
final class TurnPatience {
    private final CallScope scope;
    private final Conversation.Hearing hearing;
    private final SttOptions base;
    private Optional<String> node = Optional.empty();
    private Optional<Patience> current = Optional.empty();
    /** The provider cannot apply thresholds itself: ends of turn are held here. */
    private boolean local = true;
    private boolean holding;
    private long generation;
    private Runnable cancel = () -> { };

    TurnPatience(CallScope scope, Conversation.Hearing hearing, SttOptions base) {
        this.scope = scope;
        this.hearing = hearing;
        this.base = base;
    }

    /** After each event: follows the node the call is in, and tells the provider when the patience changes. */
    void follow() {
        var now = scope.node();
        if (now.equals(node)) {
            return;
        }
        node = now;
        var patience = now.flatMap(n -> scope.flow.flow().node(n)).flatMap(FlowNode::patience);
        if (patience.equals(current)) {
            return;
        }
        current = patience;
        var thresholds = patience.map(p -> new TurnThresholds(p.eotThreshold(), p.eotTimeoutMs())).orElse(TurnThresholds.NONE);
        local = !hearing.adjustTurnEnd(thresholds.over(base.turn()));
    }

    /**
     * The provider ended the caller's turn, after its endpointing silence or ({@code utteranceEnd})
     * its word-gap fallback. Returns whether the end is held for the node's longer patience; then a
     * {@link CallEvent.TimerKind#PATIENCE} timer ends it unless {@link #heard()} comes first.
     */
    boolean hold(boolean utteranceEnd) {
        if (holding) {
            return true; // the first provider signal set the wait; a second one does not extend it
        }
        if (!local || current.isEmpty()) {
            return false;
        }
        var p = current.get();
        long extra = utteranceEnd ? extra(p.utteranceEndMs(), base.utteranceEndMs()) : extra(p.endpointingMs(), base.endpointingMs());
        if (extra <= 0) {
            return false;
        }
        holding = true;
        long held = ++generation;
        cancel = scope.clock.schedule(Duration.ofMillis(extra),
                () -> scope.post.accept(new CallEvent.TimerFired(CallEvent.TimerKind.PATIENCE, held)));
        return true;
    }

    private static long extra(OptionalInt node, OptionalInt flow) {
        return node.isEmpty() ? 0 : node.getAsInt() - (long) flow.orElse(0);
    }

    /** The caller said more: a held end of turn is off, the turn goes on. */
    void heard() {
        if (holding) {
            holding = false;
            generation++;
            cancel.run();
        }
    }

    /** Whether {@code timer} ends the held turn now. */
    boolean due(CallEvent.TimerFired timer) {
        if (holding && timer.generation() == generation) {
            holding = false;
            return true;
        }
        return false;
    }
}
