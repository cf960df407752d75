package dev.dialtone.conversation;

import java.time.Duration;
import java.util.Optional;

import dev.dialtone.speech.SttEvent;

/**
 * Brings the caller's speech-to-text back after it failed: at once the first time (a dropped
 * socket), then after pauses that double from half a second up to 15 s while it keeps failing. A
 * provider that refuses every socket (a wrong key, a retired model, a wrong URL) then costs a
 * socket every few seconds, not a busy loop: before, each failure reopened at once, and a 404 on
 * the listen endpoint made tens of thousands of sockets a second per call. The caller hears one
 * apology and the log and record one line per run of failures; every failure is counted.
 * Call's thread only.
 */
final class HearingRecovery {
    private static final System.Logger LOG = System.getLogger(HearingRecovery.class.getName());
    static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);

    private final CallScope scope;
    private final Conversation.Hearing hearing;
    private final Speaking speaking;
    private int failuresInARow;

    HearingRecovery(CallScope scope, Conversation.Hearing hearing, Speaking speaking) {
        this.scope = scope;
        this.hearing = hearing;
        this.speaking = speaking;
    }

    /** The current STT session failed and will report nothing more. */
    void failed(SttEvent.Failed failed) {
        scope.metrics.failure("stt");
        failuresInARow++;
        if (failuresInARow == 1) {
            LOG.log(System.Logger.Level.WARNING, "Call {0}: STT failed: {1}", scope.call.sid(), failed.error());
            scope.transcript.note(scope.clock.now(), "error", "stt: " + failed.error().message());
            hearing.reopen();
            if (speaking.current().isEmpty()) {
                speaking.speakPhrase(scope.phrases.apology(), Optional.empty());
            }
            return;
        }
        scope.timers.reopenHearing(pause(failuresInARow));
    }

    /** The STT reported something: it works again. */
    void heard() {
        failuresInARow = 0;
    }

    /** The pause is over: a new session. */
    void onTimer() {
        hearing.reopen();
    }

    /** Before the {@code failures}-th reopen (2 or more): 0.5 s, 1 s, 2 s ... up to 15 s. */
    static Duration pause(int failures) {
        long millis = FIRST_PAUSE.toMillis() << Math.min(failures - 2, 10);
        return Duration.ofMillis(Math.min(millis, LONGEST_PAUSE.toMillis()));
    }
}
