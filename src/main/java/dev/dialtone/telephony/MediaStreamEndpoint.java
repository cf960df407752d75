package dev.dialtone.telephony;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsUpgradeException;
import io.helidon.common.socket.PeerInfo;

/**
 * {@code WS /twilio/stream}: one {@link MediaStreamConnection} per socket, so no call's state
 * lives in a shared object. The upgrade is refused before any message is read when the Twilio
 * signature over the public wss URL does not match.
 */
public final class MediaStreamEndpoint implements Supplier<WsListener> {
    private static final System.Logger LOG = System.getLogger(MediaStreamEndpoint.class.getName());

    private final StreamAdmission admission;
    private final CallHandler.Factory calls;
    private final ActiveCalls active;
    private final TelephonyMetrics metrics;
    private final int maxMessageBytes;
    private final Clock clock;

    public MediaStreamEndpoint(StreamAdmission admission, CallHandler.Factory calls,
                               ActiveCalls active, TelephonyMetrics metrics, int maxMessageBytes, Clock clock) {
        this.admission = admission;
        this.calls = calls;
        this.active = active;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
        this.clock = clock;
    }

    @Override
    public WsListener get() {
        return new MediaStreamConnection(this);
    }

    /** Checks the upgrade request; throws to refuse it. */
    void checkUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        Optional<String> problem = admission.refuse(prologue, headers);
        if (problem.isPresent()) {
            metrics.refusedUpgrade();
            LOG.log(System.Logger.Level.WARNING, "Refused Media Stream upgrade on {0}: {1}",
                    prologue.uriPath().rawPath(), problem.get());
            throw new WsUpgradeException("Forbidden: " + problem.get());
        }
    }

    boolean admits(PeerInfo peer) {
        return admission.admits(peer);
    }

    StreamAdmission admission() {
        return admission;
    }

    CallHandler.Factory calls() {
        return calls;
    }

    ActiveCalls active() {
        return active;
    }

    TelephonyMetrics metrics() {
        return metrics;
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    Clock clock() {
        return clock;
    }
}
