package dev.dialtone.telephony;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Reports the messages one stream dropped, at most once a second: the first drop at once, the
 * ones after it summed up in the next report (or the last one, when the stream ends), so a flood
 * costs a few log lines rather than one per message. Every drop is also counted in
 * {@code dialtone_twilio_messages_rejected_total{reason}}. Any thread (drops come from the
 * reader, the summary at the end from whichever thread ends the stream).
 */
final class DropLog {
    private static final System.Logger LOG = System.getLogger(MediaStreamConnection.class.getName());
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final TelephonyMetrics metrics;
    private final LongSupplier nanos;
    private final Map<String, Integer> pending = new TreeMap<>(); // guarded by this: drops not reported yet, by reason
    private String lastDetail = "";                               // guarded by this
    private long lastReportNanos;                                 // guarded by this
    private boolean reportedAny;                                  // guarded by this

    DropLog(TelephonyMetrics metrics, LongSupplier nanos) {
        this.metrics = metrics;
        this.nanos = nanos;
    }

    /** One dropped message; {@code detail} says what was wrong with it (untrusted text is cleaned here). */
    void drop(String reason, String detail, String callSid, String streamSid) {
        metrics.rejected(reason);
        synchronized (this) {
            pending.merge(reason, 1, Integer::sum);
            lastDetail = detail;
            long now = nanos.getAsLong();
            if (!reportedAny || now - lastReportNanos >= INTERVAL_NANOS) {
                report(callSid, streamSid, now);
            }
        }
    }

    /** Reports what is still pending; called once when the stream ends. */
    synchronized void flush(String callSid, String streamSid) {
        if (!pending.isEmpty()) {
            report(callSid, streamSid, nanos.getAsLong());
        }
    }

    private void report(String callSid, String streamSid, long now) {
        int total = pending.values().stream().mapToInt(Integer::intValue).sum();
        LOG.log(System.Logger.Level.WARNING, "Call {0} stream {1}: dropped {2} message(s) {3} (last: {4})",
                LogText.clean(callSid), LogText.clean(streamSid), String.valueOf(total), pending,
                LogText.clean(lastDetail));
        pending.clear();
        lastReportNanos = now;
        reportedAny = true;
    }
}
