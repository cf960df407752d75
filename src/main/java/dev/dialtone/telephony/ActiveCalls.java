package dev.dialtone.telephony;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The calls whose Media Stream is open now, by call sid; read by metrics and the admin API. */
public final class ActiveCalls {
    /** What is known about a live call at the edge. */
    public record ActiveCall(String callSid, String streamSid, String from, String to, String flow,
                             Instant startedAt, CallHandler handler) {
    }

    private final Map<String, ActiveCall> calls = new ConcurrentHashMap<>();

    void add(ActiveCall call) {
        calls.put(call.callSid(), call);
    }

    void remove(String callSid) {
        calls.remove(callSid);
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
