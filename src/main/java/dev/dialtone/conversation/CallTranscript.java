package dev.dialtone.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Redaction;

/**
 * What happened on one call, readable from any thread while the call goes on: the turns (as
 * immutable views, replaced as they progress) and the events that matter (transfer, hang-up,
 * errors). The call's thread writes; the admin API and the recorder read. With the flow's
 * {@link Redaction} on, what it keeps is masked: everything read from it (store, live feed, API)
 * sees the masked text; the conversation's own history (what the LLM hears) does not pass here.
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
    private final String direction;
    private final Instant startedAt;
    private final List<Turn.View> turns = new CopyOnWriteArrayList<>();
    private final List<CallNote> notes = new CopyOnWriteArrayList<>();
    private volatile Instant endedAt;
    private volatile String endReason;
    private volatile String node = "";
    private volatile Redaction redaction = Redaction.NONE; // set before the call starts
    private volatile FlowVersion version;                    // the version that handles the call, set before it starts
    private volatile Map<String, String> finalState = Map.of();
    private final CallLog log;

    /** @param direction as Twilio says: inbound, outbound-api, outbound-dial */
    public CallTranscript(String callSid, String flow, String flowVersion, String from, String to, String direction,
                          Instant startedAt, CallLog log) {
        this.log = log;
        this.direction = direction;
        this.callSid = callSid;
        this.flow = flow;
        this.flowVersion = flowVersion;
        this.from = from;
        this.to = to;
        this.startedAt = startedAt;
    }

    /** The flow version that handles the call (and what its record masks); set before the call starts. */
    void handledBy(FlowVersion version) {
        this.version = version;
        this.redaction = version.flow().redaction();
    }

    /** The call's state as it ended, masked values masked (then redacted): for the post-call analysis. */
    void finalState(Map<String, String> state) {
        var out = new TreeMap<String, String>();
        state.forEach((k, v) -> out.put(k, redaction.apply(v)));
        finalState = Map.copyOf(out);
    }

    /** The flow version that handled the call; empty for a record made without one (tests). */
    public Optional<FlowVersion> version() {
        return Optional.ofNullable(version);
    }

    /** The state the call ended with, masked; empty until it ended. */
    public Map<String, String> finalState() {
        return finalState;
    }

    void update(Turn turn) {
        var view = redacted(turn.view());
        if (turn.index < turns.size()) {
            turns.set(turn.index, view);
        } else {
            turns.add(view);
        }
    }

    /** A turn is complete: recorded for good. */
    void finish(Turn turn) {
        update(turn);
        log.turn(this, turns.get(turn.index));
    }

    void note(Instant at, String kind, String detail) {
        var note = new CallNote(at, kind, redaction.apply(detail));
        notes.add(note);
        log.note(this, note);
    }

    private Turn.View redacted(Turn.View v) {
        if (!redaction.enabled()) {
            return v;
        }
        var tools = v.tools().stream().map(t -> new Turn.ToolUse(t.name(), redaction.apply(t.arguments()),
                redaction.apply(t.result()), t.error(), t.millis(), t.finishedAt())).toList();
        return new Turn.View(v.index(), v.startedAt(), redaction.apply(v.callerText()), redaction.apply(v.agentText()),
                v.interrupted(), tools, v.sttFinalMs(), v.llmFirstTokenMs(), v.firstSegmentMs(), v.ttsFirstAudioMs(),
                v.firstAudioMs(), v.bargeInToClearMs(), v.bargeIns(), v.speculations());
    }

    void usage(String provider, String kind, long input, long output) {
        if (input > 0 || output > 0) {
            log.usage(this, provider, kind, input, output);
        }
    }

    void started() {
        log.started(this);
    }

    void node(String node) {
        this.node = node;
    }

    void end(Instant at, String reason) {
        if (endedAt == null) {
            endedAt = at;
            endReason = reason;
            log.ended(this);
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

    public String direction() {
        return direction;
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
