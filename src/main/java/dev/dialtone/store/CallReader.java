package dev.dialtone.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The queries behind call history: a filtered, paged list and one call in full. These block on
 * the database; they are for the admin API, never for a call's own thread.
 */
final class CallReader {

    private static final String SUMMARY_COLUMNS = "c.sid, c.flow_name, c.flow_version, c.from_number, "
            + "c.to_number, c.direction, c.started_at, c.ended_at, c.end_reason, c.status, "
            + "(SELECT COUNT(*) FROM turns t WHERE t.call_sid = c.sid) AS turn_count";

    private final DataSource pool;

    CallReader(DataSource pool) {
        this.pool = pool;
    }

    CallPage findCalls(CallQuery q) throws SQLException {
        var where = new StringBuilder(" WHERE 1 = 1");
        var args = new ArrayList<Object>();
        if (q.flow() != null) {
            where.append(" AND c.flow_name = ?");
            args.add(q.flow());
        }
        if (q.number() != null) {
            where.append(" AND (c.from_number = ? OR c.to_number = ?)");
            args.add(q.number());
            args.add(q.number());
        }
        if (q.startedFrom() != null) {
            where.append(" AND c.started_at >= ?");
            args.add(q.startedFrom());
        }
        if (q.startedBefore() != null) {
            where.append(" AND c.started_at < ?");
            args.add(q.startedBefore());
        }
        if (q.status() != null) {
            where.append(" AND c.status = ?");
            args.add(q.status().name());
        }
        try (var c = pool.getConnection()) {
            c.setReadOnly(true);
            long total;
            try (var count = prepare(c, "SELECT COUNT(*) FROM calls c" + where, args);
                 var rs = count.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
            var page = new ArrayList<CallSummary>();
            var pageArgs = new ArrayList<>(args);
            pageArgs.add(q.limit());
            pageArgs.add(q.offset());
            try (var select = prepare(c, "SELECT " + SUMMARY_COLUMNS + " FROM calls c" + where
                    + " ORDER BY c.started_at DESC, c.sid DESC LIMIT ? OFFSET ?", pageArgs);
                 var rs = select.executeQuery()) {
                while (rs.next()) {
                    page.add(summary(rs));
                }
            }
            return new CallPage(page, total, q.limit(), q.offset());
        }
    }

    Optional<CallDetail> findCall(String sid) throws SQLException {
        try (var c = pool.getConnection()) {
            c.setReadOnly(true);
            CallSummary summary;
            try (var select = prepare(c, "SELECT " + SUMMARY_COLUMNS + " FROM calls c WHERE c.sid = ?", List.of(sid));
                 var rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                summary = summary(rs);
            }
            return Optional.of(new CallDetail(summary, turns(c, sid), events(c, sid), usage(c, sid)));
        }
    }

    private static List<TurnRecord> turns(Connection c, String sid) throws SQLException {
        var tools = new HashMap<Integer, List<ToolCallRecord>>();
        try (var select = prepare(c, "SELECT turn_index, name, arguments_json, result_json, duration_ms, error "
                + "FROM tool_calls WHERE call_sid = ? ORDER BY turn_index, seq", List.of(sid));
             var rs = select.executeQuery()) {
            while (rs.next()) {
                tools.computeIfAbsent(rs.getInt("turn_index"), i -> new ArrayList<>()).add(new ToolCallRecord(
                        rs.getString("name"), rs.getString("arguments_json"), rs.getString("result_json"),
                        rs.getLong("duration_ms"), rs.getString("error")));
            }
        }
        var turns = new ArrayList<TurnRecord>();
        try (var select = prepare(c, "SELECT * FROM turns WHERE call_sid = ? ORDER BY turn_index", List.of(sid));
             var rs = select.executeQuery()) {
            while (rs.next()) {
                var index = rs.getInt("turn_index");
                var timings = new TurnTimings(Timestamps.get(rs, "caller_speech_ended_at"),
                        Timestamps.get(rs, "stt_final_at"), Timestamps.get(rs, "llm_first_token_at"),
                        Timestamps.get(rs, "first_segment_at"), Timestamps.get(rs, "tts_first_audio_at"),
                        Timestamps.get(rs, "first_audio_sent_at"));
                turns.add(new TurnRecord(sid, index, rs.getString("caller_text"), rs.getString("agent_text"),
                        rs.getBoolean("interrupted"), timings, tools.getOrDefault(index, List.of()),
                        Timestamps.get(rs, "started_at")));
            }
        }
        return turns;
    }

    private static List<EventRecord> events(Connection c, String sid) throws SQLException {
        var events = new ArrayList<EventRecord>();
        try (var select = prepare(c, "SELECT occurred_at, kind, detail FROM call_events WHERE call_sid = ? "
                + "ORDER BY occurred_at, id", List.of(sid));
             var rs = select.executeQuery()) {
            while (rs.next()) {
                events.add(new EventRecord(sid, Timestamps.get(rs, "occurred_at"), EventKind.valueOf(rs.getString("kind")),
                        rs.getString("detail")));
            }
        }
        return events;
    }

    private static List<UsageRecord> usage(Connection c, String sid) throws SQLException {
        var usage = new ArrayList<UsageRecord>();
        try (var select = prepare(c, "SELECT provider, kind, SUM(input_amount) AS input_sum, "
                + "SUM(output_amount) AS output_sum FROM call_usage WHERE call_sid = ? "
                + "GROUP BY provider, kind ORDER BY provider, kind", List.of(sid));
             var rs = select.executeQuery()) {
            while (rs.next()) {
                usage.add(new UsageRecord(sid, rs.getString("provider"), UsageKind.valueOf(rs.getString("kind")),
                        rs.getLong("input_sum"), rs.getLong("output_sum")));
            }
        }
        return usage;
    }

    private static CallSummary summary(ResultSet rs) throws SQLException {
        return new CallSummary(rs.getString("sid"), rs.getString("flow_name"), rs.getString("flow_version"),
                rs.getString("from_number"), rs.getString("to_number"), Direction.valueOf(rs.getString("direction")),
                Timestamps.get(rs, "started_at"), Timestamps.get(rs, "ended_at"), rs.getString("end_reason"),
                CallStatus.valueOf(rs.getString("status")), rs.getInt("turn_count"));
    }

    private static PreparedStatement prepare(Connection c, String sql, List<?> args) throws SQLException {
        var ps = c.prepareStatement(sql);
        try {
            for (var i = 0; i < args.size(); i++) {
                switch (args.get(i)) {
                    case Instant instant -> Timestamps.set(ps, i + 1, instant);
                    case Integer n -> ps.setInt(i + 1, n);
                    case String s -> ps.setString(i + 1, s);
                    default -> throw new IllegalArgumentException("unexpected argument " + args.get(i).getClass());
                }
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Deletes calls started before {@code cutoff}; their turns, events and usage go with them. */
    static int purge(DataSource pool, Instant cutoff) throws SQLException {
        try (var c = pool.getConnection();
             var delete = prepare(c, "DELETE FROM calls WHERE started_at < ?", List.of(cutoff))) {
            return delete.executeUpdate();
        }
    }
}
