package dev.dialtone.web;

import java.time.Instant;
import java.util.Optional;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dialtone.net.Json;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.store.AnalysisRecord;
import dev.dialtone.store.CallDetail;
import dev.dialtone.store.Fleet;
import dev.dialtone.store.CallSummary;
import dev.dialtone.store.TurnRecord;
import dev.dialtone.conversation.Turn;
import dev.dialtone.store.EventKind;

/**
 * The JSON shape of calls for the API and the console, the same whether a call is live (its
 * transcript in memory) or stored. Per turn, {@code timingsMs} holds each stage's milliseconds
 * after the end of the caller's speech: sttFinal, llmFirstToken, firstSegment, ttsFirstAudio,
 * firstAudioSent. A live call's turns also carry {@code bargeIns} (step, ms into the reply) and
 * {@code speculations} (outcome, startedMs, settledMs: after the end of the caller's speech); the
 * store keeps neither.
 */
final class CallJson {

    private CallJson() {
    }

    static ObjectNode summary(CallTranscript t) {
        var node = Json.MAPPER.createObjectNode();
        node.put("callSid", t.callSid());
        node.put("flow", t.flow());
        node.put("flowVersion", t.flowVersion());
        node.put("from", t.from());
        node.put("to", t.to());
        node.put("direction", t.direction());
        node.put("node", t.node());
        node.put("status", t.endedAt().isPresent() ? "completed" : "active");
        node.put("startedAt", t.startedAt().toString());
        node.put("endedAt", t.endedAt().map(Instant::toString).orElse(null));
        node.put("endReason", t.endReason().orElse(null));
        node.put("turns", t.turns().size());
        return node;
    }

    /** A call held by another instance of the fleet, as its registry row tells it. */
    static ObjectNode live(Fleet.FleetCall call) {
        var node = Json.MAPPER.createObjectNode();
        node.put("callSid", call.callSid());
        node.put("flow", call.flow());
        node.put("from", call.from());
        node.put("to", call.to());
        node.put("status", "active");
        node.put("startedAt", call.startedAt().toString());
        node.put("instance", call.instanceId());
        return node;
    }

    static ObjectNode detail(CallTranscript t) {
        var node = summary(t);
        var turns = node.putArray("transcript");
        t.turns().forEach(turn -> turns.add(turn(turn)));
        var events = node.putArray("events");
        t.notes().forEach(note -> events.addObject().put("at", note.at().toString()).put("kind", note.kind())
                                        .put("detail", note.detail()));
        return node;
    }

    static ObjectNode turn(Turn.View turn) {
        var n = Json.MAPPER.createObjectNode();
        n.put("index", turn.index());
        n.put("caller", turn.callerText());
        n.put("agent", turn.agentText());
        n.put("interrupted", turn.interrupted());
        var timings = n.putObject("timingsMs");
        put(timings, "sttFinal", turn.sttFinalMs());
        put(timings, "llmFirstToken", turn.llmFirstTokenMs());
        put(timings, "firstSegment", turn.firstSegmentMs());
        put(timings, "ttsFirstAudio", turn.ttsFirstAudioMs());
        put(timings, "firstAudioSent", turn.firstAudioMs());
        put(timings, "bargeInToClear", turn.bargeInToClearMs());
        var bargeIns = n.putArray("bargeIns");
        turn.bargeIns().forEach(b -> bargeIns.addObject().put("step", b.step().name().toLowerCase(Locale.ROOT))
                                             .put("msIntoReply", b.msIntoReply()));
        var speculations = n.putArray("speculations");
        turn.speculations().forEach(g -> speculations.addObject().put("outcome", g.outcome().name().toLowerCase(Locale.ROOT))
                                                     .put("startedMs", g.startedMs()).put("settledMs", g.settledMs()));
        var tools = n.putArray("tools");
        turn.tools().forEach(use -> tools.addObject().put("name", use.name()).put("arguments", use.arguments())
                                         .put("result", use.result()).put("error", use.error()).put("ms", use.millis()));
        return n;
    }

    static ObjectNode summary(CallSummary s) {
        var node = Json.MAPPER.createObjectNode();
        node.put("callSid", s.sid());
        node.put("flow", s.flowName());
        node.put("flowVersion", s.flowVersion());
        node.put("from", s.from());
        node.put("to", s.to());
        node.put("direction", s.direction().name().toLowerCase(Locale.ROOT));
        node.put("node", "");
        node.put("status", s.status().name().toLowerCase(Locale.ROOT));
        node.put("startedAt", s.startedAt().toString());
        node.put("endedAt", s.ended().map(Instant::toString).orElse(null));
        node.put("endReason", s.endReason());
        node.put("turns", s.turnCount());
        return node;
    }

    static ObjectNode detail(CallDetail d) {
        var node = summary(d.summary());
        // the store keeps node changes as events: the last one is where the call ended
        d.events().stream().filter(e -> e.kind() == EventKind.NODE_CHANGE)
         .reduce((first, second) -> second).ifPresent(e -> node.put("node", e.detail()));
        var turns = node.putArray("transcript");
        for (TurnRecord turn : d.turns()) {
            var n = turns.addObject();
            n.put("index", turn.index());
            n.put("caller", turn.callerText());
            n.put("agent", turn.agentText());
            n.put("interrupted", turn.interrupted());
            var timings = n.putObject("timingsMs");
            var t = turn.timings();
            put(timings, "sttFinal", t.sinceSpeechEnd(t.sttFinal()));
            put(timings, "llmFirstToken", t.sinceSpeechEnd(t.llmFirstToken()));
            put(timings, "firstSegment", t.sinceSpeechEnd(t.firstSegmentClosed()));
            put(timings, "ttsFirstAudio", t.sinceSpeechEnd(t.ttsFirstAudio()));
            put(timings, "firstAudioSent", t.sinceSpeechEnd(t.firstAudioSent()));
            var tools = n.putArray("tools");
            turn.toolCalls().forEach(c -> tools.addObject().put("name", c.name()).put("arguments", c.argumentsJson())
                                               .put("result", c.result().orElse(c.error()))
                                               .put("error", c.error() != null).put("ms", c.durationMs()));
        }
        var events = node.putArray("events");
        d.events().forEach(e -> events.addObject().put("at", e.at().toString())
                                      .put("kind", e.kind().name().toLowerCase(Locale.ROOT))
                                      .put("detail", e.detail()));
        var usage = node.putArray("usage");
        d.usage().forEach(u -> usage.addObject().put("provider", u.provider())
                                    .put("kind", u.kind().name().toLowerCase(Locale.ROOT))
                                    .put("input", u.input()).put("output", u.output()));
        d.analysis().ifPresent(a -> analysis(node, a));
        return node;
    }

    /** The call's post-call analysis: its status, the result (as JSON, kept even when it does not fit), why not. */
    static void analysis(ObjectNode node, AnalysisRecord a) {
        var out = node.putObject("analysis");
        out.put("status", a.status().name().toLowerCase(Locale.ROOT));
        out.put("analyzedAt", a.analyzedAt().toString());
        out.put("flowVersion", a.flowVersion());
        a.resultJson().ifPresent(json -> {
            try {
                out.set("result", Json.read(json));
            } catch (JsonProcessingException e) {
                out.put("result", json);
            }
        });
        a.problem().ifPresent(p -> out.put("problem", p));
    }

    private static void put(ObjectNode node, String name, Optional<Long> millis) {
        millis.ifPresent(v -> node.put(name, v));
    }
}
