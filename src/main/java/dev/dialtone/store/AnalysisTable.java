package dev.dialtone.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads and writes {@link AnalysisRecord}s; blocking, for the analysis runner and the admin API only. */
final class AnalysisTable {
    private final DataSource pool;

    AnalysisTable(DataSource pool) {
        this.pool = pool;
    }

    /** Replaces the call's analysis; false when the call is not (yet) in the store. */
    boolean save(AnalysisRecord a) throws SQLException {
        try (var c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (var exists = c.prepareStatement("SELECT 1 FROM calls WHERE sid = ?")) {
                    exists.setString(1, a.callSid());
                    try (var rs = exists.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                    }
                }
                for (var table : new String[] {"call_analysis_fields", "call_analysis"}) {
                    try (var delete = c.prepareStatement("DELETE FROM " + table + " WHERE call_sid = ?")) {
                        delete.setString(1, a.callSid());
                        delete.executeUpdate();
                    }
                }
                try (var insert = c.prepareStatement("INSERT INTO call_analysis (call_sid, status, result_json, problem, "
                        + "flow_version, spec_json, analyzed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, a.callSid());
                    insert.setString(2, a.status().name());
                    insert.setString(3, a.resultJson().orElse(null));
                    insert.setString(4, a.problem().orElse(null));
                    insert.setString(5, a.flowVersion());
                    insert.setString(6, a.specJson());
                    Timestamps.set(insert, 7, a.analyzedAt());
                    insert.executeUpdate();
                }
                try (var insert = c.prepareStatement("INSERT INTO call_analysis_fields (call_sid, name, field_value) VALUES (?, ?, ?)")) {
                    for (var field : a.fields().entrySet()) {
                        insert.setString(1, a.callSid());
                        insert.setString(2, field.getKey());
                        insert.setString(3, field.getValue());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    static Optional<AnalysisRecord> find(Connection c, String sid) throws SQLException {
        var fields = new HashMap<String, String>();
        try (var select = c.prepareStatement("SELECT name, field_value FROM call_analysis_fields WHERE call_sid = ?")) {
            select.setString(1, sid);
            try (var rs = select.executeQuery()) {
                while (rs.next()) {
                    fields.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        try (var select = c.prepareStatement("SELECT * FROM call_analysis WHERE call_sid = ?")) {
            select.setString(1, sid);
            try (var rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AnalysisRecord(sid, AnalysisRecord.Status.valueOf(rs.getString("status")),
                        Optional.ofNullable(rs.getString("result_json")), Optional.ofNullable(rs.getString("problem")),
                        rs.getString("flow_version"), rs.getString("spec_json"), Timestamps.get(rs, "analyzed_at"), fields));
            }
        }
    }
}
