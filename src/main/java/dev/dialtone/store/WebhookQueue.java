package dev.dialtone.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The durable queue of webhook deliveries (see V5__webhook_queue.sql). Several processes may share
 * the database: a row is claimed by moving its {@code next_at} out by a lease only if nobody moved
 * it first, so a process that dies mid-send leaves the row to be retried when the lease ends.
 * Blocking; for the delivery thread and the admin API only.
 */
public final class WebhookQueue {
    private static final int MAX_ERROR = 500;
    private final DataSource pool;

    WebhookQueue(DataSource pool) {
        this.pool = pool;
    }

    /** Adds one delivery, due at {@code at}. */
    public void add(String callSid, String event, String url, Optional<String> secretRef, String body, Instant at) {
        try (var c = pool.getConnection(); var insert = c.prepareStatement("INSERT INTO webhook_deliveries (call_sid, event, url, "
                + "secret_ref, body, attempts, next_at, status, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)")) {
            insert.setString(1, callSid);
            insert.setString(2, event);
            insert.setString(3, url);
            insert.setString(4, secretRef.orElse(null));
            insert.setString(5, body);
            Timestamps.set(insert, 6, at);
            insert.setString(7, WebhookDelivery.PENDING);
            Timestamps.set(insert, 8, at);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot queue a webhook for call " + callSid + ": " + Database.rootMessage(e), e);
        }
    }

    /** Claims up to {@code limit} pending deliveries due by {@code now}, each leased until {@code now + lease}. */
    public List<WebhookDelivery> claimDue(Instant now, Duration lease, int limit) {
        var due = new ArrayList<WebhookDelivery>();
        try (var c = pool.getConnection()) {
            try (var select = c.prepareStatement("SELECT * FROM webhook_deliveries WHERE status = ? AND next_at <= ? ORDER BY next_at, id")) {
                select.setString(1, WebhookDelivery.PENDING);
                Timestamps.set(select, 2, now);
                select.setMaxRows(limit);
                try (var rs = select.executeQuery()) {
                    while (rs.next()) {
                        due.add(row(rs));
                    }
                }
            }
            var claimed = new ArrayList<WebhookDelivery>();
            for (var d : due) {
                try (var update = c.prepareStatement("UPDATE webhook_deliveries SET next_at = ? WHERE id = ? AND status = ? AND next_at = ?")) {
                    Timestamps.set(update, 1, now.plus(lease));
                    update.setLong(2, d.id());
                    update.setString(3, WebhookDelivery.PENDING);
                    Timestamps.set(update, 4, d.nextAt());
                    if (update.executeUpdate() == 1) {
                        claimed.add(d);
                    }
                }
            }
            return claimed;
        } catch (SQLException e) {
            throw new StoreException("cannot read the webhook queue: " + Database.rootMessage(e), e);
        }
    }

    /** Records the outcome of one attempt: delivered, retried at {@code nextAt}, or dead (no {@code nextAt}). */
    public void attempted(long id, String status, Optional<Instant> nextAt, Optional<String> error) {
        try (var c = pool.getConnection(); var update = c.prepareStatement(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, next_at = COALESCE(?, next_at), last_error = ? WHERE id = ?")) {
            update.setString(1, status);
            Timestamps.set(update, 2, nextAt.orElse(null));
            update.setString(3, error.map(e -> e.length() > MAX_ERROR ? e.substring(0, MAX_ERROR) : e).orElse(null));
            update.setLong(4, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot update webhook delivery " + id + ": " + Database.rootMessage(e), e);
        }
    }

    /** A call's deliveries, oldest first. */
    public List<WebhookDelivery> forCall(String callSid) {
        var out = new ArrayList<WebhookDelivery>();
        try (var c = pool.getConnection(); var select = c.prepareStatement("SELECT * FROM webhook_deliveries WHERE call_sid = ? ORDER BY id")) {
            select.setString(1, callSid);
            try (var rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read the webhooks of call " + callSid + ": " + Database.rootMessage(e), e);
        }
    }

    private static WebhookDelivery row(ResultSet rs) throws SQLException {
        return new WebhookDelivery(rs.getLong("id"), rs.getString("call_sid"), rs.getString("event"), rs.getString("url"),
                Optional.ofNullable(rs.getString("secret_ref")), rs.getString("body"), rs.getInt("attempts"),
                Timestamps.get(rs, "next_at"), rs.getString("status"), Optional.ofNullable(rs.getString("last_error")),
                Timestamps.get(rs, "created_at"));
    }
}
