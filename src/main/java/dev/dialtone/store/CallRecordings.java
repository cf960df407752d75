package dev.dialtone.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The recordings table: written as Twilio reports (the sid when the recording starts, then each
 * status callback), read for a call's page, and purged with the calls: Twilio's copy is deleted
 * first ({@link CallStore.RecordingRemover}), and a row stays until that has succeeded, so a failed delete is tried
 * again at the next purge.
 */
final class CallRecordings {
    private static final System.Logger LOG = System.getLogger(CallRecordings.class.getName());
    /** Statuses after which Twilio sends nothing more; a late "in-progress" does not replace them. */
    private static final List<String> FINAL = List.of("completed", "absent", "failed");

    private final DataSource pool;

    CallRecordings(DataSource pool) {
        this.pool = pool;
    }

    void update(String recordingSid, String callSid, String status, Optional<Integer> channels,
                Optional<Integer> durationSeconds, Instant at) throws SQLException {
        try (var c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                String current = null;
                try (var ps = c.prepareStatement("SELECT status FROM call_recordings WHERE recording_sid = ? FOR UPDATE")) {
                    ps.setString(1, recordingSid);
                    try (var rs = ps.executeQuery()) {
                        if (rs.next()) {
                            current = rs.getString(1);
                        }
                    }
                }
                if (current == null) {
                    insert(c, recordingSid, callSid, status, channels, durationSeconds, at);
                } else if (!status.equals("started") && (!FINAL.contains(current) || FINAL.contains(status))) {
                    try (var ps = c.prepareStatement("UPDATE call_recordings SET status = ?, channels = COALESCE(?, channels), "
                            + "duration_s = COALESCE(?, duration_s), updated_at = ? WHERE recording_sid = ?")) {
                        ps.setString(1, status);
                        setInt(ps, 2, channels);
                        setInt(ps, 3, durationSeconds);
                        Timestamps.set(ps, 4, at);
                        ps.setString(5, recordingSid);
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void insert(Connection c, String recordingSid, String callSid, String status, Optional<Integer> channels,
                               Optional<Integer> durationSeconds, Instant at) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO call_recordings (recording_sid, call_sid, status, channels, duration_s, "
                + "updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, recordingSid);
            ps.setString(2, callSid);
            ps.setString(3, status);
            setInt(ps, 4, channels);
            setInt(ps, 5, durationSeconds);
            Timestamps.set(ps, 6, at);
            ps.executeUpdate();
        }
    }

    List<RecordingRecord> forCall(String callSid) throws SQLException {
        try (var c = pool.getConnection();
             var ps = c.prepareStatement("SELECT recording_sid, call_sid, status, channels, duration_s, updated_at "
                     + "FROM call_recordings WHERE call_sid = ? ORDER BY updated_at")) {
            c.setReadOnly(true);
            ps.setString(1, callSid);
            var out = new ArrayList<RecordingRecord>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    int channels = rs.getInt("channels");
                    var hasChannels = !rs.wasNull();
                    int duration = rs.getInt("duration_s");
                    var hasDuration = !rs.wasNull();
                    out.add(new RecordingRecord(rs.getString("recording_sid"), rs.getString("call_sid"), rs.getString("status"),
                            hasChannels ? Optional.of(channels) : Optional.empty(),
                            hasDuration ? Optional.of(duration) : Optional.empty(), Timestamps.get(rs, "updated_at")));
                }
            }
            return out;
        }
    }

    /**
     * Deletes at Twilio, then here, the recordings of calls started before {@code cutoff} and those
     * whose call is already gone; returns how many went. A failed delete is logged and kept for next time.
     */
    int purge(Instant cutoff, CallStore.RecordingRemover remover) throws SQLException {
        var sids = new ArrayList<String>();
        try (var c = pool.getConnection();
             var ps = c.prepareStatement("SELECT r.recording_sid FROM call_recordings r LEFT JOIN calls c ON c.sid = r.call_sid "
                     + "WHERE c.started_at < ? OR (c.sid IS NULL AND r.updated_at < ?)")) {
            Timestamps.set(ps, 1, cutoff);
            Timestamps.set(ps, 2, cutoff);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    sids.add(rs.getString(1));
                }
            }
        }
        int deleted = 0;
        for (var sid : sids) {
            try {
                remover.delete(sid);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Recording {0}: delete at Twilio failed, kept for the next purge: {1}",
                        sid, e.getMessage());
                continue;
            }
            try (var c = pool.getConnection();
                 var ps = c.prepareStatement("DELETE FROM call_recordings WHERE recording_sid = ?")) {
                ps.setString(1, sid);
                deleted += ps.executeUpdate();
            }
        }
        return deleted;
    }

    private static void setInt(PreparedStatement ps, int index, Optional<Integer> value) throws SQLException {
        if (value.isPresent()) {
            ps.setInt(index, value.get());
        } else {
            ps.setNull(index, Types.INTEGER);
        }
    }
}
