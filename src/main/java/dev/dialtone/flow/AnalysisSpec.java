package dev.dialtone.flow;

import java.util.Optional;

/**
 * A flow's post-call analysis: when a call ends, its transcript and state go to an LLM (the flow's,
 * or {@code llm}) with {@code prompt}, and the answer must be one JSON object fitting {@code schema}
 * (a draft-07 JSON Schema with {@code type: object}, checked when the flow loads).
 */
public record AnalysisSpec(String schemaJson, String prompt, Optional<ProviderBlock> llm) {
    /** The default instruction, when the flow gives none. */
    public static final String DEFAULT_PROMPT = "Read the transcript of this phone call and fill in the fields.";
}
