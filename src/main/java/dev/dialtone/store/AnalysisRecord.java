package dev.dialtone.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The latest post-call analysis of a call: whether it produced a result that fits its schema
 * ({@link Status#DONE}), produced one that does not ({@link Status#INVALID}: kept, with the
 * problem), or failed (the LLM could not be reached); the spec it ran with (schema, prompt, model,
 * as JSON), so that it can be run again as the handling flow version had it.
 *
 * @param fields the result's top-level scalar fields as text, for filtering (at most {@link #MAX_FIELDS})
 */
public record AnalysisRecord(String callSid, Status status, Optional<String> resultJson, Optional<String> problem,
                             String flowVersion, String specJson, Instant analyzedAt, Map<String, String> fields) {
    /** The most fields kept for filtering, and the longest value of one. */
    public static final int MAX_FIELDS = 50;
    public static final int MAX_FIELD_CHARS = 1000;

    public enum Status { DONE, INVALID, FAILED }

    public AnalysisRecord {
        Objects.requireNonNull(callSid, "callSid");
        Objects.requireNonNull(status, "status");
        fields = Map.copyOf(fields);
        if (fields.size() > MAX_FIELDS) {
            throw new IllegalArgumentException("at most " + MAX_FIELDS + " fields");
        }
    }
}
