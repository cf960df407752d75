package dev.dialtone;

import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;

import dev.dialtone.conversation.Switchboard;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoreException;
import dev.dialtone.telephony.TwilioWebhooks;

/**
 * Where Twilio's signed callbacks go: answering-machine detection to the live call, recording
 * status to the store, call status to the debug log.
 */
final class TwilioEvents implements TwilioWebhooks.Callbacks {
    private static final System.Logger LOG = System.getLogger(TwilioEvents.class.getName());
    private static final String SID = "[A-Z]{2}[0-9a-fA-F]{32}";

    private final Switchboard switchboard;
    private final CallStore store;
    private final MeterRegistry metrics;

    TwilioEvents(Switchboard switchboard, CallStore store, MeterRegistry metrics) {
        this.switchboard = switchboard;
        this.store = store;
        this.metrics = metrics;
    }

    /** A signed callback whose values are not what Twilio sends: ignored, counted by kind. */
    private void ignored(String kind) {
        metrics.counter("dialtone.twilio.callbacks.ignored", "kind", kind).increment();
    }

    @Override
    public void status(Map<String, String> form) {
        LOG.log(System.Logger.Level.DEBUG, "Twilio status: {0}", form);
    }

    @Override
    public void answeredBy(String callSid, String answeredBy) {
        if (answeredBy.matches("[a-z_]{1,32}") && callSid.length() <= 64) {
            switchboard.answeredBy(callSid, answeredBy);
        } else {
            ignored("amd");
        }
    }

    @Override
    public void recording(Map<String, String> form) {
        var recording = form.getOrDefault("RecordingSid", "");
        var call = form.getOrDefault("CallSid", "");
        var status = form.getOrDefault("RecordingStatus", "");
        if (!recording.matches(SID) || call.isEmpty() || call.length() > 64 || !status.matches("[a-z-]{1,32}")) {
            LOG.log(System.Logger.Level.WARNING, "Recording callback without a recording sid, call sid or status: ignored");
            ignored("recording");
            return;
        }
        try {
            store.recordingStatus(recording, call, status, number(form.get("RecordingChannels")),
                                  number(form.get("RecordingDuration")));
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Recording {0} of call {1}: {2}", recording, call, e.getMessage());
        }
    }

    /** The recording just started through the REST API: its sid is kept at once, so the purge can delete it even if no callback comes. */
    static void recordingStarted(CallStore store, String callSid, String recordingSid) {
        try {
            store.recordingStatus(recordingSid, callSid, "started", Optional.empty(), Optional.empty());
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Recording {0} of call {1}: {2}", recordingSid, callSid, e.getMessage());
        }
    }

    private static Optional<Integer> number(String value) {
        if (value == null || !value.matches("[0-9]{1,9}")) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(value));
    }
}
