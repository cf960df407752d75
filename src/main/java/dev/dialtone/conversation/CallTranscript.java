package dev.dialtone.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What happened on one call, readable from any thread while the call goes on: the turns (as
 * immutable views, replaced as they progress) and the events that matter (transfer, hang-up,
 * errors). The call's thread writes; the admin API and the recorder read.
 */
public final class CallTranscript {
    /** Something that happened on the call, besides turns. */
    public record CallNote(Instant at, String kind, String detail) {
    }

    private final String callSid;
    private final String flow;
    private final String flowVersion;
    private final String from;
    private final String to;
    private final Instant startedAt;
    private final List<Turn.View> turns = new CopyOnWriteArrayList<>();
    private final List<CallNote> notes = new CopyOnWriteArrayList<>();
    private volatile Instant endedAt;
    private volatile String endReason;
    private volatile String node = "";

    public CallTranscript(String callSid, String flow, String flowVersion, String from, String to, Instant startedAt) {
        this.callSid = callSid;
        this.flow = flow;
        this.flowVersion = flowVersion;
        this.from = from;
        this.to = to;
        this.startedAt = startedAt;
    }

    void update(Turn turn) {
        var view = turn.view();
        if (turn.index < turns.size()) {
            turns.set(turn.index, view);
        } else {
            turns.add(view);
        }
    }

    void note(Instant at, String kind, String detail) {
        notes.add(new CallNote(at, kind, detail));
    }

    void node(String node) {
        this.node = node;
    }

    void end(Instant at, String reason) {
        if (endedAt == null) {
            endedAt = at;
            endReason = reason;
        }
    }

    public String callSid() {
        return callSid;
    }

    public String flow() {
        return flow;
    }

    public String flowVersion() {
        return flowVersion;
    }

    public String from() {
        return from;
    }

    public String to() {
        return to;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public String node() {
        return node;
    }

    public List<Turn.View> turns() {
        return List.copyOf(turns);
    }

    public List<CallNote> notes() {
        return List.copyOf(notes);
    }

    public Optional<Instant> endedAt() {
        return Optional.ofNullable(endedAt);
    }

    public Optional<String> endReason() {
        return Optional.ofNullable(endReason);
    }
}
