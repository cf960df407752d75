package dev.dialtone.conversation;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The timers of one call: its time limit, the silence re-prompt, the dead-air watchdog of the
 * current reply, the waits for keys (a keyed turn, a digit collection), and the pauses that resume a
 * reply or start a speculative one. Each fires by posting a {@link CallEvent.TimerFired}; a generation number tells a
 * current timer from one that was cancelled after it fired. Call's thread only.
 */
final class CallTimers {
    private final CallClock clock;
    private final Consumer<CallEvent> post;
    private long silenceGeneration;
    private Runnable cancelSilence = () -> { };
    private Runnable cancelDeadAir = () -> { };
    private Runnable cancelLimit = () -> { };
    private Runnable cancelDigits = () -> { };
    private Runnable cancelResume = () -> { };
    private Runnable cancelQuiet = () -> { };
    private Runnable cancelReopen = () -> { };
    private long digitsGeneration;
    private Runnable cancelCollect = () -> { };
    private long collectGeneration;

    CallTimers(CallClock clock, Consumer<CallEvent> post) {
        this.clock = clock;
        this.post = post;
    }

    void limitCall(Duration max) {
        cancelLimit = clock.schedule(max, () -> post.accept(new CallEvent.TimerFired(CallEvent.TimerKind.MAX_DURATION, 0)));
    }

    /** (Re)starts the silence timer. */
    void armSilence(Duration after) {
        cancelSilence.run();
        long generation = ++silenceGeneration;
        cancelSilence = clock.schedule(after, () -> post.accept(
                new CallEvent.TimerFired(CallEvent.TimerKind.SILENCE, generation)));
    }

    /** The caller made a sound: the silence timer stops. */
    void cancelSilence() {
        cancelSilence.run();
        silenceGeneration++;
    }

    boolean isCurrentSilence(CallEvent.TimerFired timer) {
        return timer.generation() == silenceGeneration;
    }

    /** Checks on reply {@code reply} after {@code after}; replaces any earlier check. */
    void watchDeadAir(long reply, Duration after) {
        cancelDeadAir.run();
        cancelDeadAir = clock.schedule(after, () -> post.accept(
                new CallEvent.TimerFired(CallEvent.TimerKind.RESPONSE_DEADLINE, reply)));
    }

    void cancelDeadAir() {
        cancelDeadAir.run();
    }

    /** Checks after {@code after} whether paused reply {@code reply} may resume; replaces any earlier check. */
    void checkResume(long reply, Duration after) {
        cancelResume.run();
        cancelResume = clock.schedule(after, () -> post.accept(
                new CallEvent.TimerFired(CallEvent.TimerKind.RESUME_CHECK, reply)));
    }

    void cancelResume() {
        cancelResume.run();
    }

    /** Checks after {@code after} whether the caller has gone quiet after a final transcript ({@link Speculation}). */
    void checkQuiet(long generation, Duration after) {
        cancelQuiet.run();
        cancelQuiet = clock.schedule(after, () -> post.accept(new CallEvent.TimerFired(CallEvent.TimerKind.QUIET_CHECK, generation)));
    }

    /** (Re)starts the wait for more keypad digits: the caller's keyed turn ends when it fires. */
    void armDigits(Duration gap) {
        cancelDigits.run();
        long generation = ++digitsGeneration;
        cancelDigits = clock.schedule(gap, () -> post.accept(new CallEvent.TimerFired(CallEvent.TimerKind.DIGITS, generation)));
    }

    boolean isCurrentDigits(CallEvent.TimerFired timer) {
        return timer.generation() == digitsGeneration;
    }

    /** (Re)starts the wait for the next key of a digit collection. */
    void armCollect(Duration wait) {
        cancelCollect();
        long generation = collectGeneration;
        cancelCollect = clock.schedule(wait, () -> post.accept(new CallEvent.TimerFired(CallEvent.TimerKind.COLLECT, generation)));
    }

    void cancelCollect() {
        cancelCollect.run();
        collectGeneration++;
    }

    boolean isCurrentCollect(CallEvent.TimerFired timer) {
        return timer.generation() == collectGeneration;
    }

    /** The STT failed again: a new session after {@code after}, not at once (see {@link HearingRecovery}). */
    void reopenHearing(Duration after) {
        cancelReopen.run();
        cancelReopen = clock.schedule(after, () -> post.accept(new CallEvent.TimerFired(CallEvent.TimerKind.STT_REOPEN, 0)));
    }

    void cancelAll() {
        cancelReopen.run();
        cancelSilence();
        cancelCollect();
        cancelDigits.run();
        cancelDeadAir.run();
        cancelResume.run();
        cancelQuiet.run();
        cancelLimit.run();
    }
}
