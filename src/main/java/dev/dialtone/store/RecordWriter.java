package dev.dialtone.store;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The SQL that writes one queued record inside the caller's transaction. Every write is
 * idempotent, so a batch retried after a lost commit acknowledgement changes nothing: calls and
 * turns are upserted by key (call sid; call sid + turn index), events and usage are inserted once
 * by the key the recorder gave them. Only a retry ({@code mayExist}) looks for an event or usage
 * row first: on a first attempt it cannot exist, and the look-up was a third of the store's work.
 * Used by the recorder's writer thread only.
 */
final class RecordWriter {

    static final int MAX_JSON = 200_000;
    static final int MAX_TEXT = 8_000;
    private static final int MAX_KNOWN_CALLS = 10_000;

    /** Sids whose call row is known to exist; writer thread only; forgotten on rollback. */
    private final Set<String> knownCalls = new HashSet<>();

    void write(Connection c, QueuedRecord queued, boolean mayExist) throws SQLException {
        switch (queued.record()) {
            case CallStart start -> upsertCall(c, start);
            case TurnRecord turn -> {
                ensureCall(c, turn.callSid(), queued);
                upsertTurn(c, turn);
            }
            case EventRecord event -> {
                ensureCall(c, event.callSid(), queued);
                insertEvent(c, event, queued.key(), mayExist);
            }
            case UsageRecord usage -> {
                ensureCall(c, usage.callSid(), queued);
                insertUsage(c, usage, queued.key(), mayExist);
            }
            case CallEnd end -> {
                ensureCall(c, end.callSid(), queued);
                endCall(c, end);
            }
        }
    }

    /** The transaction these writes were in was rolled back: what they created is gone. */
    void rolledBack() {
        knownCalls.clear();
    }

    /** A call has ended; its sid need not be remembered any more. */
    void forget(String sid) {
        knownCalls.remove(sid);
    }

    private void upsertCall(Connection c, CallStart s) throws SQLException {
        // The status is left alone on update: a start written twice must not reopen an ended call.
        try (var update = c.prepareStatement("UPDATE calls SET flow_name = ?, flow_version = ?, from_number = ?, "
                + "to_number = ?, direction = ?, started_at = ? WHERE sid = ?")) {
            bindCall(update, s);
            update.setString(7, s.callSid());
            if (update.executeUpdate() == 0) {
                try (var insert = c.prepareStatement("INSERT INTO calls (flow_name, flow_version, from_number, "
                        + "to_number, direction, started_at, sid, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bindCall(insert, s);
                    insert.setString(7, s.callSid());
                    insert.setString(8, CallStatus.ACTIVE.name());
                    insert.executeUpdate();
                }
            }
        }
        remember(s.callSid());
    }

    private static void bindCall(PreparedStatement ps, CallStart s) throws SQLException {
        ps.setString(1, s.flowName());
        ps.setString(2, s.flowVersion());
        ps.setString(3, s.from());
        ps.setString(4, s.to());
        ps.setString(5, s.direction().name());
        Timestamps.set(ps, 6, s.startedAt());
    }

    /**
     * A record for a call whose start was never written (dropped while the database was away, or
     * written by a store that crashed before it) still gets a call row to hang from, stamped with
     * the time the record was queued.
     */
    private void ensureCall(Connection c, String sid, QueuedRecord queued) throws SQLException {
        if (knownCalls.contains(sid)) {
            return;
        }
        try (var select = c.prepareStatement("SELECT 1 FROM calls WHERE sid = ?")) {
            select.setString(1, sid);
            try (var rs = select.executeQuery()) {
                if (!rs.next()) {
                    try (var insert = c.prepareStatement("INSERT INTO calls (sid, flow_name, flow_version, "
                            + "from_number, to_number, direction, started_at, status) "
                            + "VALUES (?, '', '', '', '', ?, ?, ?)")) {
                        insert.setString(1, sid);
                        insert.setString(2, Direction.INBOUND.name());
                        Timestamps.set(insert, 3, queued.queuedAt());
                        insert.setString(4, CallStatus.ACTIVE.name());
                        insert.executeUpdate();
                    }
                }
            }
        }
        remember(sid);
    }

    private void remember(String sid) {
        if (knownCalls.size() >= MAX_KNOWN_CALLS) {
            knownCalls.clear(); // calls whose end never came (their process died) must not pile up
        }
        knownCalls.add(sid);
    }

    private static void upsertTurn(Connection c, TurnRecord t) throws SQLException {
        try (var update = c.prepareStatement("UPDATE turns SET caller_text = ?, agent_text = ?, interrupted = ?, "
                + "caller_speech_ended_at = ?, stt_final_at = ?, llm_first_token_at = ?, first_segment_at = ?, "
                + "tts_first_audio_at = ?, first_audio_sent_at = ?, started_at = ? WHERE call_sid = ? AND turn_index = ?")) {
            bindTurn(update, t);
            if (update.executeUpdate() == 0) {
                try (var insert = c.prepareStatement("INSERT INTO turns (caller_text, agent_text, interrupted, "
                        + "caller_speech_ended_at, stt_final_at, llm_first_token_at, first_segment_at, "
                        + "tts_first_audio_at, first_audio_sent_at, started_at, call_sid, turn_index) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bindTurn(insert, t);
                    insert.executeUpdate();
                }
            } else {
                // a replaced turn: its old tool calls go (a new turn has none: they hang from it)
                try (var delete = c.prepareStatement("DELETE FROM tool_calls WHERE call_sid = ? AND turn_index = ?")) {
                    delete.setString(1, t.callSid());
                    delete.setInt(2, t.index());
                    delete.executeUpdate();
                }
            }
        }
        if (t.toolCalls().isEmpty()) {
            return;
        }
        try (var insert = c.prepareStatement("INSERT INTO tool_calls (call_sid, turn_index, seq, name, "
                + "arguments_json, result_json, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            var seq = 0;
            for (var tool : t.toolCalls()) {
                insert.setString(1, t.callSid());
                insert.setInt(2, t.index());
                insert.setInt(3, seq++);
                insert.setString(4, tool.name());
                insert.setString(5, capJson(tool.argumentsJson()));
                insert.setString(6, tool.resultJson() == null ? null : capJson(tool.resultJson()));
                insert.setLong(7, tool.durationMs());
                insert.setString(8, tool.error() == null ? null : capText(tool.error()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void bindTurn(PreparedStatement ps, TurnRecord t) throws SQLException {
        var timings = t.timings();
        ps.setString(1, t.callerText());
        ps.setString(2, t.agentText());
        ps.setBoolean(3, t.interrupted());
        Timestamps.set(ps, 4, timings.callerSpeechEnded());
        Timestamps.set(ps, 5, timings.sttFinal());
        Timestamps.set(ps, 6, timings.llmFirstToken());
        Timestamps.set(ps, 7, timings.firstSegmentClosed());
        Timestamps.set(ps, 8, timings.ttsFirstAudio());
        Timestamps.set(ps, 9, timings.firstAudioSent());
        Timestamps.set(ps, 10, t.startedAt());
        ps.setString(11, t.callSid());
        ps.setInt(12, t.index());
    }

    private static void insertEvent(Connection c, EventRecord e, String key, boolean mayExist) throws SQLException {
        if (mayExist && exists(c, "SELECT 1 FROM call_events WHERE id = ?", key)) {
            return;
        }
        try (var insert = c.prepareStatement(
                "INSERT INTO call_events (id, call_sid, occurred_at, kind, detail) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, key);
            insert.setString(2, e.callSid());
            Timestamps.set(insert, 3, e.at());
            insert.setString(4, e.kind().name());
            insert.setString(5, capText(e.detail()));
            insert.executeUpdate();
        }
    }

    private static void insertUsage(Connection c, UsageRecord u, String key, boolean mayExist) throws SQLException {
        if (mayExist && exists(c, "SELECT 1 FROM call_usage WHERE id = ?", key)) {
            return;
        }
        try (var insert = c.prepareStatement("INSERT INTO call_usage (id, call_sid, provider, kind, input_amount, "
                + "output_amount) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, key);
            insert.setString(2, u.callSid());
            insert.setString(3, u.provider());
            insert.setString(4, u.kind().name());
            insert.setLong(5, u.input());
            insert.setLong(6, u.output());
            insert.executeUpdate();
        }
    }

    private static void endCall(Connection c, CallEnd e) throws SQLException {
        try (var update = c.prepareStatement(
                "UPDATE calls SET ended_at = ?, end_reason = ?, status = ? WHERE sid = ?")) {
            Timestamps.set(update, 1, e.endedAt());
            update.setString(2, e.endReason());
            update.setString(3, e.status().name());
            update.setString(4, e.callSid());
            update.executeUpdate();
        }
    }

    /**
     * JSON longer than {@link #MAX_JSON} characters is kept as a valid JSON object that says so
     * and holds its beginning, so that one huge tool result cannot get a whole turn refused.
     */
    static String capJson(String json) {
        if (json.length() <= MAX_JSON) {
            return json;
        }
        var head = new String(JsonStringEncoder.getInstance().quoteAsString(head(json, MAX_JSON - 1_000)));
        return "{\"truncated\":true,\"length\":" + json.length() + ",\"head\":\"" + head + "\"}";
    }

    static String capText(String text) {
        return text.length() <= MAX_TEXT ? text : head(text, MAX_TEXT) + "… (" + text.length() + " characters)";
    }

    /** The first {@code length} characters, one fewer rather than half a surrogate pair. */
    private static String head(String text, int length) {
        return text.substring(0, Character.isHighSurrogate(text.charAt(length - 1)) ? length - 1 : length);
    }

    private static boolean exists(Connection c, String sql, String key) throws SQLException {
        try (var select = c.prepareStatement(sql)) {
            select.setString(1, key);
            try (var rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }
}
