package dev.dialtone.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Set;

/**
 * The heartbeat's clean-up of instances that stopped: their calls' records failed (only while
 * still active: a call that ended meanwhile keeps its end) and their rows removed. Two instances
 * sweeping at once run the same idempotent statements.
 */
final class FleetSweep {
    private static final System.Logger LOG = System.getLogger(FleetSweep.class.getName());

    private FleetSweep() {
    }

    /** Calls of instances silent longer than the timeout: their records failed, their rows gone. */
    static int run(Connection c, Instant cutoff, Instant now, String instanceId) throws SQLException {
        var gone = new LinkedHashMap<String, String>();
        try (var q = c.prepareStatement("SELECT call_sid, instance_id FROM live_calls WHERE heartbeat_at < ? AND instance_id <> ?")) {
            Timestamps.set(q, 1, cutoff);
            q.setString(2, instanceId);
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    gone.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        int failedCalls = 0;
        if (!gone.isEmpty()) {
            try (var fail = c.prepareStatement("UPDATE calls SET status = ?, ended_at = ?, end_reason = ? WHERE sid = ? AND status = ?");
                 var remove = c.prepareStatement("DELETE FROM live_calls WHERE call_sid = ? AND heartbeat_at < ?")) {
                for (var sid : gone.keySet()) {
                    fail.setString(1, CallStatus.FAILED.name());
                    Timestamps.set(fail, 2, now);
                    fail.setString(3, Fleet.LOST_REASON);
                    fail.setString(4, sid);
                    fail.setString(5, CallStatus.ACTIVE.name());
                    failedCalls += fail.executeUpdate();
                    remove.setString(1, sid);
                    Timestamps.set(remove, 2, cutoff);
                    remove.executeUpdate();
                }
            }
        }
        try (var remove = c.prepareStatement("DELETE FROM fleet_instances WHERE heartbeat_at < ? AND id <> ?")) {
            Timestamps.set(remove, 1, cutoff);
            remove.setString(2, instanceId);
            remove.executeUpdate();
        }
        if (!gone.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Fleet: instance(s) {0} silent for over {1} ms: {2} of their calls "
                    + "removed, {3} call records marked failed", Set.copyOf(gone.values()),
                    Duration.between(cutoff, now).toMillis(), gone.size(), failedCalls);
        }
        return gone.size();
    }
}
