package dev.dialtone.conversation;

import java.util.Optional;
import java.util.function.Consumer;

import dev.dialtone.flow.Collect;
import dev.dialtone.flow.Redaction;

/**
 * A node's (or the collect_digits tool's) digit collection while it runs: keys and spoken digits go
 * into a buffer, never into the caller's turn; the collection ends at the finish key, at the most
 * digits, or when the caller pauses with enough; too few or none by the time-out asks again, up to
 * the attempts. The digits go to the call's state; the LLM then gets one turn that says what was
 * collected ({@code ****1234} when masked) or that nothing was. Call's thread only.
 */
final class DigitCollection {
    private final CallScope scope;
    private final Speaking speaking;
    private final Consumer<String> turn; // ends the collection with a caller turn of this text
    private Optional<Collect> active = Optional.empty();
    private final StringBuilder buffer = new StringBuilder();
    private int attempt;
    // the digits filled up before the finish key came: that key, if pressed within the collection's
    // time-out, is the caller finishing as asked ("then press hash"), not a key press of its own
    private Optional<String> strayFinish = Optional.empty();
    private long strayUntilNanos;

    DigitCollection(CallScope scope, Speaking speaking, Consumer<String> turn) {
        this.scope = scope;
        this.speaking = speaking;
        this.turn = turn;
    }

    boolean active() {
        return active.isPresent();
    }

    /** Starts collecting; the time-out runs from now, or from the end of what the agent is saying. */
    void begin(Collect collect) {
        active = Optional.of(collect);
        buffer.setLength(0);
        strayFinish = Optional.empty();
        attempt = 1;
        if (speaking.current().isEmpty()) {
            armTimeout();
        }
    }

    /** What the agent was saying (the prompt) has been heard: the wait for keys starts. */
    void promptPlayed() {
        armTimeout();
    }

    /** A key: the finish key ends the digits, others join them. */
    void key(String key) {
        var c = active.orElseThrow();
        if (speaking.current().isPresent() && speaking.interruptible()) {
            speaking.bargeIn(scope.clock.nanos()); // a key stops the prompt, as on any phone menu
        }
        if (c.finishOn().filter(key::equals).isPresent()) {
            ended(c);
            return;
        }
        if (key.chars().allMatch(Character::isDigit)) {
            add(c, key);
        }
        if (active.isPresent()) {
            armTimeout();
        }
    }

    /**
     * The caller said something while digits are awaited: digits join the buffer (and a finished
     * utterance with enough of them ends it); anything else ends the collection unfinished and is
     * returned to be an ordinary turn.
     */
    boolean heard(String text, boolean utteranceEnded) {
        var c = active.orElseThrow();
        var digits = SpokenDigits.read(text);
        if (digits.isEmpty()) {
            if (!text.isBlank()) {
                active = Optional.empty();
                scope.timers.cancelCollect();
                scope.transcript.note(scope.clock.now(), "dtmf", "collect " + c.into() + " given up: the caller spoke");
                return false;
            }
            return true;
        }
        add(c, digits.get());
        if (active.isPresent()) {
            if (utteranceEnded && buffer.length() >= c.minDigits()) {
                finish(c);
            } else {
                armTimeout();
            }
        }
        return true;
    }

    /** The wait for keys ran out: enough ends it, too few ask again. */
    void onTimeout(CallEvent.TimerFired timer) {
        if (active.isEmpty() || !scope.timers.isCurrentCollect(timer) || speaking.current().isPresent()) {
            return;
        }
        ended(active.get());
    }

    private void add(Collect c, String digits) {
        var room = c.maxDigits() - buffer.length();
        buffer.append(digits, 0, Math.min(room, digits.length()));
        if (buffer.length() >= c.maxDigits()) {
            strayFinish = c.finishOn();
            strayUntilNanos = scope.clock.nanos() + c.timeout().toNanos();
            finish(c);
        }
    }

    private void ended(Collect c) {
        if (buffer.length() >= c.minDigits()) {
            finish(c);
            return;
        }
        buffer.setLength(0);
        if (++attempt > c.attempts()) {
            active = Optional.empty();
            scope.timers.cancelCollect();
            scope.transcript.note(scope.clock.now(), "dtmf", "collect " + c.into() + ": nothing after " + c.attempts() + " attempts");
            turn.accept("(The caller did not enter " + c.into() + ".)");
            return;
        }
        var again = c.reprompt().or(c::prompt).map(t -> t.render(scope.values()));
        speaking.speakPhrase(again.orElse(scope.phrases.reprompt()), Optional.empty());
    }

    private void finish(Collect c) {
        active = Optional.empty();
        scope.timers.cancelCollect();
        var digits = buffer.toString();
        buffer.setLength(0);
        var shown = c.mask() ? Redaction.mask(digits) : digits;
        try {
            if (c.mask()) {
                scope.masked.add(c.into()); // before the value exists: no template renders it unmasked
            }
            scope.state.put(c.into(), digits);
        } catch (IllegalArgumentException e) {
            scope.transcript.note(scope.clock.now(), "error", "collect " + c.into() + ": " + e.getMessage());
        }
        scope.transcript.note(scope.clock.now(), "dtmf", "collect " + c.into() + " " + shown);
        turn.accept("(The caller entered " + c.into() + ": " + shown + ".)");
    }

    /**
     * Whether {@code key} is the finish key of a collection that its digits had already completed,
     * pressed soon after: it is swallowed rather than taken as a turn or a route. Any next key
     * ends the chance.
     */
    boolean swallowsLateFinish(String key) {
        var late = strayFinish.filter(key::equals).isPresent() && scope.clock.nanos() <= strayUntilNanos;
        strayFinish = Optional.empty();
        return late;
    }

    private void armTimeout() {
        active.ifPresent(c -> scope.timers.armCollect(c.timeout()));
    }

    /** The call is over: nothing more is awaited. */
    void stop() {
        active = Optional.empty();
        buffer.setLength(0);
    }
}
