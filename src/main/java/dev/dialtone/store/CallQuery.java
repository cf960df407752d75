package dev.dialtone.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A search over call history. Every filter is optional (null = any): flow name, a number that is
 * either the caller or the called number, a start-time range [startedFrom, startedBefore), and a
 * status; the analysis' status, and values of its top-level fields (all must match). Results come
 * newest first, {@code limit} at a time from {@code offset}.
 */
public record CallQuery(String flow, String number, Instant startedFrom, Instant startedBefore,
                        CallStatus status, int limit, int offset, AnalysisRecord.Status analysis,
                        Map<String, String> fields) {

    public static final int MAX_LIMIT = 500;
    public static final int DEFAULT_LIMIT = 50;
    /** The most analysis fields one query filters on. */
    public static final int MAX_FIELD_FILTERS = 5;

    public CallQuery(String flow, String number, Instant startedFrom, Instant startedBefore, CallStatus status,
                     int limit, int offset) {
        this(flow, number, startedFrom, startedBefore, status, limit, offset, null, Map.of());
    }

    public CallQuery {
        fields = Map.copyOf(fields);
        if (fields.size() > MAX_FIELD_FILTERS) {
            throw new IllegalArgumentException("at most " + MAX_FIELD_FILTERS + " analysis fields to filter on");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (startedFrom != null && startedBefore != null && startedBefore.isBefore(startedFrom)) {
            throw new IllegalArgumentException("date range ends before it starts");
        }
        flow = blankToNull(flow);
        number = blankToNull(number);
    }

    /** All calls, first page. */
    public static CallQuery all() {
        return new CallQuery(null, null, null, null, null, DEFAULT_LIMIT, 0);
    }

    public CallQuery withFlow(String flow) {
        return new CallQuery(flow, number, startedFrom, startedBefore, status, limit, offset, analysis, fields);
    }

    public CallQuery withNumber(String number) {
        return new CallQuery(flow, number, startedFrom, startedBefore, status, limit, offset, analysis, fields);
    }

    public CallQuery withStartedBetween(Instant from, Instant before) {
        return new CallQuery(flow, number, from, before, status, limit, offset, analysis, fields);
    }

    public CallQuery withStatus(CallStatus status) {
        return new CallQuery(flow, number, startedFrom, startedBefore, status, limit, offset, analysis, fields);
    }

    public CallQuery withPage(int limit, int offset) {
        return new CallQuery(flow, number, startedFrom, startedBefore, status, limit, offset, analysis, fields);
    }

    /** Calls whose analysis has this status and these top-level field values (as text: true, 3, "yes"). */
    public CallQuery withAnalysis(AnalysisRecord.Status analysis, Map<String, String> fields) {
        return new CallQuery(flow, number, startedFrom, startedBefore, status, limit, offset, analysis, fields);
    }

    /** The query for the page after {@code page}, if there is one. */
    public Optional<CallQuery> next(CallPage page) {
        return page.hasMore() ? Optional.of(withPage(limit, offset + limit)) : Optional.empty();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
