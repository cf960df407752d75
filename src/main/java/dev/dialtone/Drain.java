package dev.dialtone;

import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dialtone.conversation.CallAction;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.TurnTaking;
import dev.dialtone.telephony.ActiveCalls;
import dev.dialtone.telephony.TwilioCalls;

/**
 * The graceful stop of a server that holds calls (SIGTERM from Kubernetes or systemd): from the
 * moment it begins the server reports itself not ready, so the load balancer sends it no new
 * calls, yet it keeps answering everything (a webhook or a stream that still arrives is served:
 * Twilio cannot retry a stream elsewhere). Calls in progress go on to their natural end; those
 * still up at the deadline are ended with a spoken goodbye; the stop completes when the last call
 * has ended or the goodbyes' own time is up.
 */
final class Drain {
    private static final System.Logger LOG = System.getLogger(Drain.class.getName());
    private static final Duration POLL = Duration.ofMillis(100);

    private final ActiveCalls calls;
    private final Switchboard switchboard;
    private final FlowRegistry flows;
    private final TwilioCalls twilio;
    private final AtomicBoolean draining = new AtomicBoolean();

    Drain(ActiveCalls calls, Switchboard switchboard, FlowRegistry flows, TwilioCalls twilio) {
        this.calls = calls;
        this.switchboard = switchboard;
        this.flows = flows;
        this.twilio = twilio;
    }

    /** True once a drain has begun: the readiness probe fails from then on. */
    boolean draining() {
        return draining.get();
    }

    /** Begins the drain; false when one had already begun. */
    boolean begin() {
        return draining.compareAndSet(false, true);
    }

    /** Calls whose stream is open or whose session is still finishing (the softphone's included). */
    int callsUp() {
        return Math.max(calls.size(), switchboard.active().size());
    }

    /** The deadline when none is configured: the longest time limit of the flows served now. */
    Duration longestMaxCall() {
        return flows.versions().stream().map(v -> v.flow().turn().maxCall()).max(Duration::compareTo)
                    .orElse(TurnTaking.DEFAULTS.maxCall());
    }

    /**
     * Waits for the calls to end by themselves until {@code deadline} (empty: {@link #longestMaxCall}),
     * then asks each one still up to say goodbye and hang up, and waits up to {@code goodbye} for
     * that. Returns the number of calls still up at the end (0 unless a goodbye hung).
     */
    int awaitCalls(Settings.DrainTimes times) throws InterruptedException {
        var deadline = times.deadline().orElseGet(this::longestMaxCall);
        LOG.log(System.Logger.Level.INFO, "Draining: not ready any more; {0} call(s) in progress may go on for up to {1} s",
                callsUp(), deadline.toSeconds());
        if (awaitNoCalls(deadline)) {
            twilio.awaitHangUps(times.goodbye()); // a flow's own hang-up just before may still be on its way
            LOG.log(System.Logger.Level.INFO, "Drained: every call ended by itself");
            return 0;
        }
        LOG.log(System.Logger.Level.INFO, "Drain deadline reached: ending {0} call(s) with a goodbye", switchboard.active().size());
        long goodbyeEnd = System.nanoTime() + times.goodbye().toNanos();
        if (awaitGoodbyes(goodbyeEnd) && twilio.awaitHangUps(Duration.ofNanos(Math.max(0, goodbyeEnd - System.nanoTime())))) {
            LOG.log(System.Logger.Level.INFO, "Drained: the last goodbye ended");
            return 0;
        }
        int left = callsUp();
        LOG.log(System.Logger.Level.WARNING, "Drain: {0} call(s) still up after the goodbyes'' {1} s; stopping anyway",
                left, times.goodbye().toSeconds());
        return left;
    }

    /** Asks every call up to say goodbye and hang up (one that arrives meanwhile too); whether all ended by {@code end}. */
    private boolean awaitGoodbyes(long end) throws InterruptedException {
        var asked = new HashSet<String>();
        while (callsUp() > 0) {
            for (var session : switchboard.active()) {
                if (asked.add(session.callSid())) {
                    session.act(new CallAction.HangUp("server stopping"));
                }
            }
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            Thread.sleep(POLL);
        }
        return true;
    }

    private boolean awaitNoCalls(Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (callsUp() > 0) {
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            Thread.sleep(POLL);
        }
        return true;
    }
}
