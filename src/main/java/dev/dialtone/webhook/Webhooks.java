package dev.dialtone.webhook;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.Turn;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowWebhook;
import dev.dialtone.flow.Redaction;
import dev.dialtone.net.Json;
import dev.dialtone.store.AnalysisRecord;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoreException;

/**
 * Turns call events into queued deliveries: call.started, call.ended, call.transferred (a transfer
 * note) from the call's log, call.analyzed from the analysis runner. Each goes to the flow's webhooks
 * that ask for it and to the global ones. The body is the event, the call summary, the state the call
 * ended with (call.ended), the analysis (call.analyzed) and a transcript link, what the call said
 * masked when its flow redacts; the queue row holds a secret reference, never the secret.
 * Writing to the queue happens on a virtual thread, so the call's thread never waits on the database.
 */
public final class Webhooks implements CallLog {
    private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());
    static final String GLOBAL = "global";

    private final CallStore store;
    private final FlowRegistry flows;
    private final WebhookSettings settings;
    private final Clock clock;

    public Webhooks(CallStore store, FlowRegistry flows, WebhookSettings settings, Clock clock) {
        this.store = store;
        this.flows = flows;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void started(CallTranscript call) {
        enqueue(call, "call.started", Optional.empty());
    }

    @Override
    public void ended(CallTranscript call) {
        enqueue(call, "call.ended", Optional.of(call.finalState()));
    }

    @Override
    public void note(CallTranscript call, CallTranscript.CallNote note) {
        if (note.kind().equals("transfer")) {
            enqueue(call, "call.transferred", Optional.empty(), Optional.of(transfer(note.detail())));
        }
    }

    @Override
    public void turn(CallTranscript call, Turn.View turn) {
    }

    @Override
    public void usage(CallTranscript call, String provider, String kind, long input, long output) {
    }

    /** For {@code Analyses.onAnalyzed}: queues call.analyzed with the stored call's summary. */
    public void analyzed(AnalysisRecord analysis) {
        Thread.ofVirtual().name("webhook-analyzed").start(() -> {
            var detail = store.findCall(analysis.callSid());
            if (detail.isEmpty()) {
                return;
            }
            var s = detail.get().summary();
            var summary = new LinkedHashMap<String, Object>();
            summary.put("sid", s.sid());
            summary.put("flow", s.flowName());
            summary.put("from", s.from());
            summary.put("to", s.to());
            summary.put("started_at", s.startedAt().toString());
            summary.put("ended_at", s.ended().map(Object::toString).orElse(null));
            summary.put("status", s.status().name().toLowerCase(Locale.ROOT));
            var a = new LinkedHashMap<String, Object>();
            a.put("status", analysis.status().name().toLowerCase(Locale.ROOT));
            analysis.resultJson().ifPresent(r -> a.put("result", readJson(r)));
            analysis.problem().ifPresent(p -> a.put("problem", p));
            write(s.sid(), s.flowName(), "call.analyzed", summary, Optional.empty(), Optional.of(a));
        });
    }

    /**
     * A transfer note's detail as the body's {@code call.transfer}: {@code "+1555..."} (cold) or
     * {@code "+1555... warm answered"}, {@code "... warm no-answer (busy)"}, {@code "... warm declined"}.
     */
    static Map<String, Object> transfer(String detail) {
        var parts = detail.split(" ", 3);
        var out = new LinkedHashMap<String, Object>();
        out.put("to", parts[0]);
        out.put("mode", parts.length > 1 ? parts[1] : "cold");
        out.put("outcome", parts.length > 2 ? parts[2] : "dialed");
        return out;
    }

    private void enqueue(CallTranscript call, String event, Optional<Map<String, String>> state) {
        enqueue(call, event, state, Optional.empty());
    }

    private void enqueue(CallTranscript call, String event, Optional<Map<String, String>> state,
                         Optional<Map<String, Object>> transfer) {
        var summary = new LinkedHashMap<String, Object>();
        summary.put("sid", call.callSid());
        summary.put("flow", call.flow());
        summary.put("from", call.from());
        summary.put("to", call.to());
        summary.put("direction", call.direction());
        summary.put("started_at", call.startedAt().toString());
        summary.put("ended_at", call.endedAt().map(Object::toString).orElse(null));
        summary.put("status", call.endedAt().isPresent() ? "ended" : "in_progress");
        call.endReason().ifPresent(r -> summary.put("end_reason", r));
        transfer.ifPresent(t -> summary.put("transfer", t));
        if (targets(call.flow(), event).isEmpty()) {
            return;
        }
        Thread.ofVirtual().name("webhook-queue").start(() -> write(call.callSid(), call.flow(), event, summary, state, Optional.empty()));
    }

    /** The (secret reference, webhook) pairs that want {@code event} for calls of {@code flow}. */
    List<Map.Entry<String, FlowWebhook>> targets(String flow, String event) {
        var out = new ArrayList<Map.Entry<String, FlowWebhook>>();
        flows.byName(flow).ifPresent(v -> v.flow().webhooks().stream().filter(h -> h.events().contains(event))
                .forEach(h -> out.add(Map.entry("flow:" + flow, h))));
        settings.global().stream().filter(h -> h.events().contains(event)).forEach(h -> out.add(Map.entry(GLOBAL, h)));
        return out;
    }

    /** The secret for a queued row: the loaded flow's (or the global) webhook with that URL. */
    public Optional<String> secret(String ref, String url) {
        var hooks = ref.equals(GLOBAL) ? settings.global()
                : ref.startsWith("flow:") ? flows.byName(ref.substring(5)).map(v -> v.flow().webhooks()).orElse(List.of()) : List.<FlowWebhook>of();
        return hooks.stream().filter(h -> h.url().equals(url)).findFirst().flatMap(FlowWebhook::secret);
    }

    private void write(String sid, String flow, String event, Map<String, Object> summary, Optional<Map<String, String>> state,
                       Optional<Map<String, Object>> analysis) {
        // what the call said (its end reason, state, analysis) is masked as the flow's redact says
        var redaction = flows.byName(flow).map(v -> v.flow().redaction()).orElse(Redaction.NONE);
        summary.computeIfPresent("end_reason", (k, v) -> redaction.apply((String) v));
        var body = new LinkedHashMap<String, Object>();
        body.put("event", event);
        body.put("call", summary);
        state.filter(m -> !m.isEmpty()).ifPresent(m -> body.put("state", redaction.apply(Json.MAPPER.valueToTree(m))));
        analysis.ifPresent(a -> body.put("analysis", redaction.apply(Json.MAPPER.valueToTree(a))));
        body.put("transcript_path", "/api/calls/" + sid); // admin API: needs the admin token
        settings.publicUrl().ifPresent(u -> body.put("transcript_url", u + "/api/calls/" + sid));
        String json;
        try {
            json = Json.writeValue(body);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "webhook body for call {0} not written: {1}", sid, e.getMessage());
            return;
        }
        if (json.length() > settings.maxBodyChars()) {
            LOG.log(System.Logger.Level.WARNING, "webhook {0} for call {1} is over {2} characters; not sent", event, sid, settings.maxBodyChars());
            return;
        }
        for (var target : targets(flow, event)) {
            try {
                store.webhooks().add(sid, event, target.getValue().url(), Optional.of(target.getKey()), json, clock.instant());
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "webhook {0} for call {1} not queued: {2}", event, sid, e.getMessage());
            }
        }
    }

    private static Object readJson(String text) {
        try {
            return Json.read(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }
}
