package dev.dialtone.telephony;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls whose Media Stream is open now, by call sid: one live stream per call. Read by metrics
 * and the admin API.
 */
public final class ActiveCalls {
    /** What is known about a live call at the edge. */
    public record ActiveCall(String callSid, String streamSid, String from, String to, String flow, Instant startedAt) {
    }

    private final Map<String, ActiveCall> calls = new ConcurrentHashMap<>();

    /** Claims the call's sid for this stream; false when another stream of the call is live. */
    boolean add(ActiveCall call) {
        return calls.putIfAbsent(call.callSid(), call) == null;
    }

    /** Removes this stream's entry (never another stream's of the same call). */
    void remove(ActiveCall call) {
        calls.remove(call.callSid(), call);
    }

    public int size() {
        return calls.size();
    }

    public Optional<ActiveCall> get(String callSid) {
        return Optional.ofNullable(calls.get(callSid));
    }

    public List<ActiveCall> list() {
        return calls.values().stream().sorted(Comparator.comparing(ActiveCall::startedAt)).toList();
    }
}
