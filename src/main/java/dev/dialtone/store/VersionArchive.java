package dev.dialtone.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL behind stored flow versions. A version is written once, in one transaction; the same
 * version going live again (a revert to the same text) leaves the first row as it is.
 */
final class VersionArchive {
    private final DataSource pool;

    VersionArchive(DataSource pool) {
        this.pool = pool;
    }

    /** Writes {@code v} unless it is already stored; returns whether it wrote. */
    boolean save(StoredVersion v) throws SQLException {
        try (var c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (exists(c, v.flow(), v.version())) {
                    c.rollback();
                    return false;
                }
                try (var insert = c.prepareStatement("INSERT INTO flow_versions (flow_name, version, live_at) VALUES (?, ?, ?)")) {
                    insert.setString(1, v.flow());
                    insert.setString(2, v.version());
                    Timestamps.set(insert, 3, v.liveAt());
                    insert.executeUpdate();
                }
                try (var insert = c.prepareStatement(
                        "INSERT INTO flow_version_files (flow_name, version, seq, path, content) VALUES (?, ?, ?, ?, ?)")) {
                    for (int i = 0; i < v.files().size(); i++) {
                        insert.setString(1, v.flow());
                        insert.setString(2, v.version());
                        insert.setInt(3, i);
                        insert.setString(4, v.files().get(i).path());
                        insert.setString(5, v.files().get(i).text());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (exists(c, v.flow(), v.version())) {
                    return false; // another writer stored it meanwhile
                }
                throw e;
            }
        }
    }

    /** The versions of {@code flow}, the latest to go live first, at most {@code limit}. */
    List<VersionSummary> list(String flow, int limit) throws SQLException {
        var out = new ArrayList<VersionSummary>();
        try (var c = pool.getConnection();
             var select = c.prepareStatement("SELECT v.flow_name, v.version, v.live_at, (SELECT COUNT(*) FROM calls k "
                     + "WHERE k.flow_name = v.flow_name AND k.flow_version = v.version) AS call_count "
                     + "FROM flow_versions v WHERE v.flow_name = ? ORDER BY v.live_at DESC, v.version LIMIT ?")) {
            c.setReadOnly(true);
            select.setString(1, flow);
            select.setInt(2, limit);
            try (var rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(new VersionSummary(rs.getString("flow_name"), rs.getString("version"),
                            Timestamps.get(rs, "live_at"), rs.getLong("call_count")));
                }
            }
        }
        return out;
    }

    Optional<StoredVersion> find(String flow, String version) throws SQLException {
        try (var c = pool.getConnection()) {
            c.setReadOnly(true);
            Instant liveAt;
            try (var select = c.prepareStatement("SELECT live_at FROM flow_versions WHERE flow_name = ? AND version = ?")) {
                select.setString(1, flow);
                select.setString(2, version);
                try (var rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    liveAt = Timestamps.get(rs, "live_at");
                }
            }
            var files = new ArrayList<StoredVersion.File>();
            try (var select = c.prepareStatement("SELECT path, content FROM flow_version_files "
                    + "WHERE flow_name = ? AND version = ? ORDER BY seq")) {
                select.setString(1, flow);
                select.setString(2, version);
                try (var rs = select.executeQuery()) {
                    while (rs.next()) {
                        files.add(new StoredVersion.File(rs.getString("path"), rs.getString("content")));
                    }
                }
            }
            return Optional.of(new StoredVersion(flow, version, liveAt, files));
        }
    }

    private static boolean exists(Connection c, String flow, String version) throws SQLException {
        try (var select = c.prepareStatement("SELECT 1 FROM flow_versions WHERE flow_name = ? AND version = ?")) {
            select.setString(1, flow);
            select.setString(2, version);
            try (var rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }
}
