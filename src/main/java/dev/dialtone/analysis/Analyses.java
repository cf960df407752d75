package dev.dialtone.analysis;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;

import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.Turn;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.Redaction;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.net.Json;
import dev.dialtone.store.AnalysisRecord;
import dev.dialtone.store.CallDetail;
import dev.dialtone.store.CallStore;

/**
 * Runs each flow's post-call analysis when a call of it ends (a {@link CallLog} whose only interest
 * is the end), and again on request for a stored call, with the spec stored with the first run (the
 * flow version that handled the call), else with the loaded version if it is that one. Each runs on
 * a virtual thread of its own, at most {@link Limits#concurrent} at once and {@link Limits#waiting}
 * waiting: past that an analysis is refused and counted ({@code dialtone_analysis_refused_total}),
 * never queued without bound. The result is stored
 * once the call's own record is (it is written asynchronously), tried {@link #SAVE_TRIES} times.
 */
public final class Analyses implements CallLog {
    private static final System.Logger LOG = System.getLogger(Analyses.class.getName());
    /** How many analyses run at once, and how many may wait for a turn. */
    public record Limits(int concurrent, int waiting) {
        public Limits {
            if (concurrent < 1 || waiting < 0) {
                throw new IllegalArgumentException("at least one analysis at a time, and no negative queue");
            }
        }
    }

    static final int SAVE_TRIES = 20;
    static final Duration SAVE_PAUSE = Duration.ofMillis(250);

    private final CallStore store;
    private final Map<String, ChatModel> llms;
    private final FlowRegistry flows;
    private final CallAnalysis analysis;
    private final Semaphore running;
    private final Limits limits;
    private final AtomicInteger waiting = new AtomicInteger();
    private final MeterRegistry metrics;
    private volatile Consumer<AnalysisRecord> listener = a -> { };

    public Analyses(CallStore store, Map<String, ChatModel> llms, FlowRegistry flows, CallAnalysis analysis, MeterRegistry metrics,
                    Limits limits) {
        this.limits = limits;
        this.running = new Semaphore(limits.concurrent());
        this.store = store;
        this.llms = Map.copyOf(llms);
        this.flows = flows;
        this.analysis = analysis;
        this.metrics = metrics;
    }

    /** Told of every analysis stored (the webhooks' call.analyzed, tests). */
    public void onAnalyzed(Consumer<AnalysisRecord> listener) {
        this.listener = listener;
    }

    @Override
    public void ended(CallTranscript call) {
        var version = call.version();
        if (version.isEmpty() || version.get().flow().analysis().isEmpty()) {
            return;
        }
        var flow = version.get().flow();
        var spec = flow.analysis().get();
        var specJson = withState(CallAnalysis.specJson(spec, spec.llm().orElse(flow.llm())), call.finalState());
        var lines = call.turns().stream().map(t -> new AnalysisInput.Line(t.callerText(), t.agentText())).toList();
        var input = new AnalysisInput(call.callSid(), call.flow(), call.flowVersion(), call.from(), call.to(),
                call.startedAt(), call.endReason(), call.finalState(), lines);
        submit(input, specJson, flow.redaction());
    }

    /**
     * Runs the analysis of a stored call again: empty when there is no such call; a problem when
     * nothing says how to analyse it (no earlier run, and the loaded flow is another version).
     */
    public Optional<Result> rerun(String sid) {
        var detail = store.findCall(sid);
        if (detail.isEmpty()) {
            return Optional.empty();
        }
        var d = detail.get();
        // the stored record was redacted when it was written if its flow redacted then; masking again
        // with the flow's option now also covers a call recorded before redaction was turned on
        var redaction = flows.byName(d.summary().flowName()).map(v -> v.flow().redaction()).orElse(Redaction.NONE);
        String specJson;
        if (d.analysis().isPresent()) {
            specJson = d.analysis().get().specJson();
        } else {
            var loaded = flows.byName(d.summary().flowName()).filter(v -> v.hash().equals(d.summary().flowVersion()));
            if (loaded.isEmpty() || loaded.get().flow().analysis().isEmpty()) {
                return Optional.of(new Result.Refused("flow " + d.summary().flowName() + " version " + d.summary().flowVersion()
                        + " has no analysis on record and is not the loaded version with one"));
            }
            var flow = loaded.get().flow();
            var spec = flow.analysis().get();
            specJson = CallAnalysis.specJson(spec, spec.llm().orElse(flow.llm()));
        }
        return Optional.of(submit(input(d, specJson), specJson, redaction) ? new Result.Started() : new Result.Refused("too many analyses waiting"));
    }

    /** What asking for a re-run did. */
    public sealed interface Result {
        record Started() implements Result {
        }

        record Refused(String why) implements Result {
        }
    }

    private boolean submit(AnalysisInput input, String specJson, Redaction redaction) {
        if (waiting.incrementAndGet() > limits.concurrent() + limits.waiting()) {
            waiting.decrementAndGet();
            metrics.counter("dialtone.analysis.refused").increment();
            LOG.log(System.Logger.Level.WARNING, "Call {0}: analysis refused, {1} already waiting", input.callSid(), limits.waiting());
            return false;
        }
        Thread.ofVirtual().name("analysis-" + input.callSid()).start(() -> {
            try {
                running.acquire();
            } catch (InterruptedException e) {
                waiting.decrementAndGet();
                return;
            }
            try {
                analyse(input, specJson, redaction);
            } finally {
                waiting.decrementAndGet();
                running.release();
            }
        });
        return true;
    }

    private void analyse(AnalysisInput input, String specJson, Redaction redaction) {
        String provider;
        try {
            provider = Json.read(specJson).path("provider").asText("");
        } catch (JsonProcessingException e) {
            provider = "";
        }
        var model = llms.get(provider);
        var result = model == null ? analysis.failed(input, specJson, "no API key for llm provider " + provider)
                                   : analysis.run(input, specJson, model, redaction);
        metrics.counter("dialtone.analysis.runs", "outcome", result.status().name().toLowerCase()).increment();
        for (int attempt = 1; attempt <= SAVE_TRIES; attempt++) {
            try {
                if (store.saveAnalysis(result)) {
                    LOG.log(System.Logger.Level.INFO, "Call {0}: analysis {1}", input.callSid(), result.status());
                    listener.accept(result);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Call {0}: cannot store its analysis: {1}", input.callSid(), e.getMessage());
            }
            try {
                Thread.sleep(SAVE_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        metrics.counter("dialtone.analysis.lost").increment();
        LOG.log(System.Logger.Level.WARNING, "Call {0}: analysis not stored, the call is not in the store", input.callSid());
    }

    private static String withState(String specJson, Map<String, String> state) {
        try {
            var node = (ObjectNode) Json.read(specJson);
            var s = node.putObject("state");
            state.forEach(s::put);
            return node.toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AnalysisInput input(CallDetail d, String specJson) {
        var state = new TreeMap<String, String>();
        try {
            Json.read(specJson).path("state").fields().forEachRemaining(e -> state.put(e.getKey(), e.getValue().asText()));
        } catch (JsonProcessingException e) {
            // no state on record
        }
        var s = d.summary();
        var lines = d.turns().stream().map(t -> new AnalysisInput.Line(t.callerText(), t.agentText())).toList();
        return new AnalysisInput(s.sid(), s.flowName(), s.flowVersion(), s.from(), s.to(), s.startedAt(),
                Optional.ofNullable(s.endReason()), state, lines);
    }

    // the rest of the call's record is the store's and the feed's business

    @Override
    public void started(CallTranscript call) {
    }

    @Override
    public void turn(CallTranscript call, Turn.View turn) {
    }

    @Override
    public void note(CallTranscript call, CallTranscript.CallNote note) {
    }

    @Override
    public void usage(CallTranscript call, String provider, String kind, long input, long output) {
    }
}
