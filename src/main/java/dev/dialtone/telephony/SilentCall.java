package dev.dialtone.telephony;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A call that only listens: it counts the caller's audio and DTMF and ends cleanly on stop. It
 * answers streams while no conversation is wired in, so the edge can be run and tested alone.
 */
public final class SilentCall implements CallHandler {
    private static final System.Logger LOG = System.getLogger(SilentCall.class.getName());

    private final StreamEvent.Start start;
    private final AtomicLong audioBytes = new AtomicLong();
    private final AtomicLong digits = new AtomicLong();

    public SilentCall(StreamEvent.Start start) {
        this.start = start;
    }

    @Override
    public void onEvent(StreamEvent event) {
        switch (event) {
            case StreamEvent.Media media -> audioBytes.addAndGet(media.payload().length);
            case StreamEvent.Dtmf dtmf -> digits.incrementAndGet();
            default -> {
            }
        }
    }

    @Override
    public void onStreamClosed(String reason) {
        LOG.log(System.Logger.Level.INFO, "Call {0} ended ({1}) after {2} ms of caller audio and {3} digits",
                LogText.clean(start.callSid()), reason, audioBytes.get() / 8, digits.get());
    }

    /** Caller audio received so far, in bytes of mu-law (8 per millisecond). */
    public long audioBytes() {
        return audioBytes.get();
    }
}
