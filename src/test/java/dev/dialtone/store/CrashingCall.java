package dev.dialtone.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A process that records the start of a call and two completed turns, says READY once its
 * recorder has nothing left to write, then waits to be killed mid-call (the test sends SIGKILL,
 * so no shutdown hook and no close() runs). Arguments: JDBC URL, call sid.
 */
public final class CrashingCall {

    private CrashingCall() {
    }

    public static void main(String[] args) {
        var store = CallStore.open(StoreSettings.defaults().withUrl(args[0]).withRetention(java.time.Duration.ZERO),
                new SimpleMeterRegistry());
        var sid = args[1];
        var recorder = store.recorder();
        var t0 = Instant.parse("2026-01-01T10:00:00Z");
        recorder.callStarted(new CallStart(sid, "crashy", "v1", "+15550001", "+15550002", Direction.INBOUND, t0));
        for (var i = 0; i < 2; i++) {
            recorder.turnCompleted(new TurnRecord(sid, i, "caller " + i, "agent " + i, false, TurnTimings.NONE,
                    List.of()));
        }
        while (recorder.pending() > 0) {
            LockSupport.parkNanos(5_000_000);
        }
        System.out.println("READY");
        System.out.flush();
        LockSupport.park(); // the turn now in flight exists only here; the test kills us
    }
}
