package dev.dialtone.telephony;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsUpgradeException;

/**
 * {@code WS /twilio/stream} (and the softphone's): one {@link MediaStreamConnection} per socket,
 * so no call's state lives in a shared object. The upgrade is refused before any message is read
 * when the admission refuses it (for Twilio: the signature over the public wss URL); every socket
 * keeps to the {@link StreamLimits} and is watched by the endpoint's {@link StreamWatch}.
 */
public final class MediaStreamEndpoint implements Supplier<WsListener> {
    private static final System.Logger LOG = System.getLogger(MediaStreamEndpoint.class.getName());

    private final StreamAdmission admission;
    private final CallHandler.Factory calls;
    private final ActiveCalls active;
    private final TelephonyMetrics metrics;
    private final int maxMessageBytes;
    private final StreamLimits limits;
    private final Clock clock;
    private final StreamWatch watch = new StreamWatch();

    public MediaStreamEndpoint(StreamAdmission admission, CallHandler.Factory calls, ActiveCalls active,
                               TelephonyMetrics metrics, int maxMessageBytes, StreamLimits limits, Clock clock) {
        this.admission = admission;
        this.calls = calls;
        this.active = active;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
        this.limits = limits;
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
                    LogText.clean(prologue.uriPath().rawPath()), problem.get());
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

    StreamLimits limits() {
        return limits;
    }

    StreamWatch watch() {
        return watch;
    }

    Clock clock() {
        return clock;
    }
}
