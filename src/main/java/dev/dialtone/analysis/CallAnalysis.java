package dev.dialtone.analysis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.dialtone.flow.AnalysisSpec;
import dev.dialtone.flow.ProviderBlock;
import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.flow.Redaction;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ToolSpec;
import dev.dialtone.net.Json;
import dev.dialtone.plugin.ArgumentCheck;
import dev.dialtone.store.AnalysisRecord;

/**
 * One post-call analysis: the call's transcript and state to an LLM with structured output (the
 * flow's schema), the answer checked against that schema with the plugins' checker, the outcome as
 * an {@link AnalysisRecord}. Blocking: run it on a thread of its own, never a call's.
 */
public final class CallAnalysis {
    /** The structured output's name (OpenAI's json_schema name, Anthropic's forced tool). */
    static final String OUTPUT_NAME = "call_analysis";
    private static final String GUIDANCE = "Answer with the structured output only, from what the transcript says. "
            + "Digits shown as **** were masked on purpose.";

    private final Clock clock;
    private final Duration timeout;
    private final int maxTranscriptChars;
    private final int defaultMaxTokens;
    private final Counter cut;

    /**
     * @param timeout how long one analysis may take, from the request to the last token
     * @param maxTranscriptChars the longest transcript sent: a longer call keeps its beginning and its
     *                           end, and the cut is counted ({@code dialtone_analysis_transcripts_cut_total})
     * @param defaultMaxTokens the answer's token limit when the flow's llm block sets no max_tokens
     */
    public CallAnalysis(Clock clock, Duration timeout, int maxTranscriptChars, int defaultMaxTokens, MeterRegistry metrics) {
        if (timeout.isNegative() || timeout.isZero() || maxTranscriptChars < 1_000 || defaultMaxTokens < 1) {
            throw new IllegalArgumentException("analysis: a positive timeout and max-tokens, and max-transcript-chars of at least 1000");
        }
        this.clock = clock;
        this.timeout = timeout;
        this.maxTranscriptChars = maxTranscriptChars;
        this.defaultMaxTokens = defaultMaxTokens;
        this.cut = Counter.builder("dialtone.analysis.transcripts.cut")
                .description("Analyses whose transcript was over analysis.max-transcript-chars (its middle left out)").register(metrics);
    }

    /** The spec as stored with the result: what a re-run uses. */
    public static String specJson(AnalysisSpec spec, ProviderBlock llm) {
        var node = Json.MAPPER.createObjectNode();
        try {
            node.set("schema", Json.read(spec.schemaJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("analysis schema is not JSON", e);
        }
        node.put("prompt", spec.prompt()).put("provider", llm.provider());
        llm.model().ifPresent(m -> node.put("model", m));
        llm.temperature().ifPresent(t -> node.put("temperature", t));
        llm.intExtra("max_tokens").ifPresent(n -> node.put("max_tokens", n));
        return node.toString();
    }

    /**
     * Runs the analysis of {@code input} with the spec (as {@link #specJson} wrote it) on {@code model},
     * masking what {@code redaction} covers in everything sent.
     */
    public AnalysisRecord run(AnalysisInput input, String specJson, ChatModel model, Redaction redaction) {
        ObjectNode spec;
        try {
            spec = (ObjectNode) Json.read(specJson);
        } catch (JsonProcessingException | ClassCastException e) {
            return failed(input, specJson, "the stored analysis spec is not a JSON object");
        }
        var schema = spec.path("schema").toString();
        var provider = spec.path("provider").asText("openai");
        var request = new ChatRequest(spec.path("model").asText(ProviderCatalog.defaultModel(provider)),
                spec.has("temperature") ? Optional.of(spec.path("temperature").asDouble()) : Optional.empty(),
                Optional.of(spec.path("max_tokens").asInt(defaultMaxTokens)),
                spec.path("prompt").asText(AnalysisSpec.DEFAULT_PROMPT) + "\n\n" + GUIDANCE,
                List.of(new ChatMessage.User(redaction.apply(transcript(input, maxTranscriptChars, cut::increment)))), List.of(),
                Optional.of(new ToolSpec(OUTPUT_NAME, "The analysis of the phone call.", schema)));
        var answer = ask(model, request);
        if (answer instanceof Answer.Failed f) {
            return failed(input, specJson, f.problem());
        }
        var json = ((Answer.Json) answer).json();
        Optional<String> problem;
        try {
            problem = ArgumentCheck.of(schema).problem(json);
        } catch (IllegalArgumentException e) {
            return failed(input, specJson, "the analysis " + e.getMessage().replace("parameters", "schema"));
        }
        // the model read masked digits, yet may still write some (made up, or from the prompt): the
        // stored result, and so the console and the webhooks, show them masked too
        if (redaction.enabled()) {
            problem = problem.map(redaction::apply);
            try {
                json = Json.write(redaction.apply(Json.read(json)));
            } catch (JsonProcessingException e) {
                json = redaction.apply(json); // not JSON: the checker said so in problem
            }
        }
        var fields = problem.isPresent() ? Map.<String, String>of() : fields(json);
        return new AnalysisRecord(input.callSid(), problem.isPresent() ? AnalysisRecord.Status.INVALID : AnalysisRecord.Status.DONE,
                Optional.of(json), problem, input.flowVersion(), specJson, clock.instant(), fields);
    }

    private sealed interface Answer {
        record Json(String json) implements Answer {
        }

        record Failed(String problem) implements Answer {
        }
    }

    /** Streams the request; the JSON is the forced tool's input (Anthropic) or the text (OpenAI). */
    private Answer ask(ChatModel model, ChatRequest request) {
        var text = new StringBuilder();
        var toolInput = new StringBuilder();
        var done = new CompletableFuture<Optional<String>>(); // empty: finished; else why it failed
        var stream = model.stream(request, event -> {
            switch (event) {
                case ChatEvent.TextDelta delta -> {
                    synchronized (text) {
                        text.append(delta.text());
                    }
                }
                case ChatEvent.ToolCallReady ready -> {
                    if (ready.call().name().equals(OUTPUT_NAME)) {
                        synchronized (text) {
                            toolInput.append(ready.call().argumentsJson());
                        }
                    }
                }
                case ChatEvent.Done d -> done.complete(Optional.empty());
                case ChatEvent.Failed failed -> done.complete(Optional.of(failed.error().message()));
            }
        });
        Optional<String> failure;
        try {
            failure = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stream.cancel();
            return new Answer.Failed("no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            stream.cancel();
            Thread.currentThread().interrupt();
            return new Answer.Failed("interrupted");
        } catch (ExecutionException e) {
            return new Answer.Failed("failed: " + e.getCause().getClass().getSimpleName());
        }
        if (failure.isPresent()) {
            return new Answer.Failed("llm: " + failure.get());
        }
        synchronized (text) {
            var json = !toolInput.isEmpty() ? toolInput.toString() : text.toString().strip();
            return json.isEmpty() ? new Answer.Failed("the llm gave no answer") : new Answer.Json(json);
        }
    }

    /** The call as the LLM reads it: who, how it ended, the state, then the turns (at most {@code maxChars} of them). */
    static String transcript(AnalysisInput in, int maxChars, Runnable onCut) {
        var out = new StringBuilder();
        out.append("Phone call to ").append(in.to()).append(" from ").append(in.from()).append(", started ")
           .append(in.startedAt()).append(", ended: ").append(in.endReason().orElse("unknown")).append(".\n");
        if (!in.state().isEmpty()) {
            out.append("State at the end:\n");
            in.state().forEach((k, v) -> out.append("- ").append(k).append(": ").append(v).append('\n'));
        }
        out.append("\nTranscript:\n");
        var lines = new ArrayList<String>();
        for (var line : in.lines()) {
            if (!line.caller().isBlank()) {
                lines.add("Caller: " + line.caller());
            }
            if (!line.agent().isBlank()) {
                lines.add("Agent: " + line.agent());
            }
        }
        var body = String.join("\n", lines);
        if (body.length() > maxChars) {
            onCut.run();
            int half = maxChars / 2;
            body = body.substring(0, half) + "\n[... the middle of the call is left out ...]\n" + body.substring(body.length() - half);
        }
        return out.append(body.isEmpty() ? "(nothing was said)" : body).toString();
    }

    /** The answer's top-level scalar fields as text, for filtering calls by them. */
    static Map<String, String> fields(String json) {
        var out = new LinkedHashMap<String, String>();
        try {
            var node = Json.read(json);
            var names = node.fieldNames();
            while (names.hasNext() && out.size() < AnalysisRecord.MAX_FIELDS) {
                var name = names.next();
                var value = node.get(name);
                if (value.isValueNode() && !value.isNull() && name.length() <= 200) {
                    var text = value.asText();
                    out.put(name, text.length() > AnalysisRecord.MAX_FIELD_CHARS ? text.substring(0, AnalysisRecord.MAX_FIELD_CHARS) : text);
                }
            }
        } catch (JsonProcessingException e) {
            return Map.of();
        }
        return out;
    }

    /** An analysis that could not run. */
    public AnalysisRecord failed(AnalysisInput input, String specJson, String problem) {
        return new AnalysisRecord(input.callSid(), AnalysisRecord.Status.FAILED, Optional.empty(), Optional.of(problem),
                                  input.flowVersion(), specJson, clock.instant(), Map.of());
    }
}
