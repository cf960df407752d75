package dev.dialtone.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * This instance's membership of the fleet that shares one database: the calls it holds now
 * ({@code live_calls}), its heartbeat and the flow versions it serves ({@code fleet_instances}),
 * and, on PostgreSQL, a channel to the other instances (LISTEN/NOTIFY). One platform thread does
 * the writes, so a slow database never delays a call: {@link #callStarted} and {@link #callEnded}
 * only change the in-memory list and wake it. Every heartbeat it refreshes this instance's rows
 * (rewriting them when they differ from memory: a write lost to an outage, or rows another instance
 * removed while this one stalled) and removes the calls of instances silent for
 * {@code missedHeartbeats} heartbeats, marking their call records failed. On H2 (one process) the
 * registry works the same and the channel is silent.
 */
public final class Fleet implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Fleet.class.getName());
    /** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
    public static final int MAX_MESSAGE_BYTES = 7900;
    static final String CHANNEL = "dialtone_fleet";
    private static final int QUEUE = 10_000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Object SYNC = new Object();
    static final String LOST_REASON = "instance lost";

    /** A call some instance holds now. */
    public record FleetCall(String callSid, String instanceId, String flow, String from, String to, Instant startedAt) {
    }

    /** An instance with a recent heartbeat, and the version (hash) of each flow it serves. */
    public record Member(String id, Instant startedAt, Instant heartbeatAt, Map<String, String> flows) {
    }

    private final DataSource pool;
    private final String instanceId;
    private final Duration heartbeat;
    private final Duration timeout;
    private final Clock clock;
    private final Instant startedAt;
    private final Supplier<Map<String, String>> flows;
    private final Map<String, FleetCall> held = new ConcurrentHashMap<>();
    /** SYNC markers and outgoing messages, for the writer thread. */
    private final LinkedBlockingQueue<Object> work = new LinkedBlockingQueue<>(QUEUE);
    private final Counter lost;
    private final Counter dropped;
    private final Counter failures;
    private final FleetListener listener;
    private final Thread writer;
    private volatile boolean closed;
    /** Writer thread only: the calls as last written, and whether the database was reachable. */
    private final Set<String> written = new HashSet<>();
    private boolean healthy = true;

    Fleet(DataSource pool, StoreSettings settings, String instanceId, Duration heartbeat, int missedHeartbeats,
          Supplier<Map<String, String>> flows, MeterRegistry registry, Clock clock) {
        if (!ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("instance id must be 1-64 letters, digits, '.', '_' or '-', got '" + instanceId + "'");
        }
        if (heartbeat.toMillis() < 100 || missedHeartbeats < 2) {
            throw new IllegalArgumentException("the heartbeat must be at least 100 ms and at least 2 may be missed");
        }
        this.pool = pool;
        this.instanceId = instanceId;
        this.heartbeat = heartbeat;
        this.timeout = heartbeat.multipliedBy(missedHeartbeats);
        this.flows = Objects.requireNonNull(flows, "flows");
        this.clock = clock;
        this.startedAt = clock.instant();
        this.lost = Counter.builder("dialtone.fleet.calls.lost")
                .description("calls of instances whose heartbeat stopped, marked failed here").register(registry);
        this.dropped = Counter.builder("dialtone.fleet.messages.dropped")
                .description("messages to the other instances not sent: too large or the queue full").register(registry);
        this.failures = Counter.builder("dialtone.fleet.database.failures").register(registry);
        this.listener = settings.url().startsWith("jdbc:postgresql:")
                ? new FleetListener(settings.passwordOutOfUrl(), instanceId) : null;
        this.writer = Thread.ofPlatform().daemon().name("fleet-writer").start(this::run);
    }

    public String instanceId() {
        return instanceId;
    }

    /** True when other instances can hear this one (PostgreSQL): the live feed and admin actions cross instances. */
    public boolean shared() {
        return listener != null;
    }

    /** How long an instance may stay silent before the others take it for gone. */
    public Duration timeout() {
        return timeout;
    }

    /** This instance holds the call now; written by the writer thread shortly. */
    public void callStarted(FleetCall call) {
        held.put(call.callSid(), call);
        work.offer(SYNC);
    }

    public void callEnded(String callSid) {
        if (held.remove(callSid) != null) {
            work.offer(SYNC);
        }
    }

    /** The flow versions changed: written at once rather than at the next heartbeat. */
    public void flowsChanged() {
        work.offer(SYNC);
    }

    /**
     * Sends {@code message} to every other instance (nothing on H2). False, counted, when it is
     * larger than {@link #MAX_MESSAGE_BYTES} or too many are waiting.
     */
    public boolean publish(String message) {
        if (listener == null) {
            return false;
        }
        if (message.getBytes(StandardCharsets.UTF_8).length + instanceId.length() + 1 > MAX_MESSAGE_BYTES
                || !work.offer(message)) {
            dropped.increment();
            return false;
        }
        return true;
    }

    /** Messages from the other instances go to {@code receiver}, on the listener's thread. */
    public void listen(Consumer<String> receiver) {
        if (listener != null) {
            listener.start(receiver);
        }
    }

    /** Calls held by instances whose heartbeat is recent, this one's included, oldest first. */
    public List<FleetCall> liveCalls() {
        var cutoff = clock.instant().minus(timeout);
        try (var c = pool.getConnection(); var q = c.prepareStatement(
                "SELECT call_sid, instance_id, flow_name, from_number, to_number, started_at FROM live_calls "
                + "WHERE heartbeat_at >= ? ORDER BY started_at, call_sid")) {
            Timestamps.set(q, 1, cutoff);
            var out = new ArrayList<FleetCall>();
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new FleetCall(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                         rs.getString(5), Timestamps.get(rs, "started_at")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot list the fleet's calls: " + Database.rootMessage(e), e);
        }
    }

    /** Instances whose heartbeat is recent, this one's included, by id. */
    public List<Member> members() {
        var cutoff = clock.instant().minus(timeout);
        try (var c = pool.getConnection(); var q = c.prepareStatement(
                "SELECT id, started_at, heartbeat_at, flows_json FROM fleet_instances WHERE heartbeat_at >= ? ORDER BY id")) {
            Timestamps.set(q, 1, cutoff);
            var out = new ArrayList<Member>();
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Member(rs.getString("id"), Timestamps.get(rs, "started_at"),
                                       Timestamps.get(rs, "heartbeat_at"), decodeFlows(rs.getString("flows_json"))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot list the fleet's instances: " + Database.rootMessage(e), e);
        }
    }

    private void run() {
        long nextBeat = 0;
        while (!closed) {
            try {
                long now = System.nanoTime();
                if (now - nextBeat >= 0) {
                    beat();
                    nextBeat = System.nanoTime() + heartbeat.toNanos();
                }
                var item = work.poll(Math.max(1, nextBeat - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (item == null || closed) {
                    continue;
                }
                var batch = new ArrayList<Object>();
                batch.add(item);
                work.drainTo(batch, 500);
                if (batch.contains(SYNC)) {
                    beatQuietly(); // a call came or went: write it now
                }
                var messages = batch.stream().filter(String.class::isInstance).map(String.class::cast).toList();
                if (!messages.isEmpty()) {
                    send(messages);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A call came or went: only its row is written (all of them at every call was quadratic in the calls held). */
    private synchronized void beatQuietly() {
        try (var c = pool.getConnection()) {
            c.setAutoCommit(false);
            writeChanges(c, clock.instant());
            c.commit();
        } catch (SQLException e) {
            written.clear(); // unknown what reached the database: the next heartbeat rewrites every row
            failed("write this instance's calls", e);
        }
    }

    private void writeChanges(Connection c, Instant now) throws SQLException {
        var current = Map.copyOf(held);
        var gone = written.stream().filter(sid -> !current.containsKey(sid)).toList();
        var added = current.values().stream().filter(call -> !written.contains(call.callSid())).toList();
        if (!gone.isEmpty()) {
            try (var delete = c.prepareStatement("DELETE FROM live_calls WHERE call_sid = ? AND instance_id = ?")) {
                for (var sid : gone) {
                    delete.setString(1, sid);
                    delete.setString(2, instanceId);
                    delete.addBatch();
                }
                delete.executeBatch();
            }
        }
        insertCalls(c, added, now);
        gone.forEach(written::remove);
        added.forEach(call -> written.add(call.callSid()));
    }

    /** The heartbeat: this instance's rows refreshed, then the rows of silent instances removed. */
    synchronized void beat() {
        var now = clock.instant();
        try (var c = pool.getConnection()) {
            c.setAutoCommit(false);
            writeMember(c, now);
            syncCalls(c, now);
            c.commit();
            var lostCalls = FleetSweep.run(c, now.minus(timeout), now, instanceId);
            if (lostCalls > 0) {
                lost.increment(lostCalls);
            }
            c.commit();
            if (!healthy) {
                LOG.log(System.Logger.Level.INFO, "Fleet: the database answers again; instance {0} is registered", instanceId);
                healthy = true;
            }
        } catch (SQLException e) {
            failed("send the heartbeat", e);
        }
    }

    private void writeMember(Connection c, Instant now) throws SQLException {
        var encoded = encodeFlows(flows.get());
        try (var update = c.prepareStatement("UPDATE fleet_instances SET heartbeat_at = ?, flows_json = ? WHERE id = ?")) {
            Timestamps.set(update, 1, now);
            update.setString(2, encoded);
            update.setString(3, instanceId);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (var insert = c.prepareStatement(
                "INSERT INTO fleet_instances (id, started_at, heartbeat_at, flows_json) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, instanceId);
            Timestamps.set(insert, 2, startedAt);
            Timestamps.set(insert, 3, now);
            insert.setString(4, encoded);
            insert.executeUpdate();
        }
    }

    /** Refreshes this instance's calls; rewrites them all when the rows differ from what it holds. */
    private void syncCalls(Connection c, Instant now) throws SQLException {
        var current = Map.copyOf(held);
        int refreshed;
        try (var update = c.prepareStatement("UPDATE live_calls SET heartbeat_at = ? WHERE instance_id = ?")) {
            Timestamps.set(update, 1, now);
            update.setString(2, instanceId);
            refreshed = update.executeUpdate();
        }
        if (refreshed == current.size() && written.equals(current.keySet())) {
            return;
        }
        try (var delete = c.prepareStatement("DELETE FROM live_calls WHERE instance_id = ?")) {
            delete.setString(1, instanceId);
            delete.executeUpdate();
        }
        insertCalls(c, current.values(), now);
        written.clear();
        written.addAll(current.keySet());
    }

    private void insertCalls(Connection c, Collection<FleetCall> calls, Instant now) throws SQLException {
        if (calls.isEmpty()) {
            return;
        }
        try (var insert = c.prepareStatement("INSERT INTO live_calls (call_sid, instance_id, flow_name, from_number, "
                + "to_number, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (var call : calls) {
                insert.setString(1, call.callSid());
                insert.setString(2, instanceId);
                insert.setString(3, call.flow());
                insert.setString(4, call.from());
                insert.setString(5, call.to());
                Timestamps.set(insert, 6, call.startedAt());
                Timestamps.set(insert, 7, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void send(List<String> messages) {
        try (var c = pool.getConnection(); var notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (var message : messages) {
                notify.setString(1, CHANNEL);
                notify.setString(2, instanceId + " " + message);
                notify.execute();
            }
        } catch (SQLException e) {
            dropped.increment(messages.size());
            failed("notify the other instances", e);
        }
    }

    private void failed(String what, SQLException e) {
        failures.increment();
        if (healthy) {
            LOG.log(System.Logger.Level.WARNING, "Fleet: cannot " + what + " (" + Database.rootMessage(e)
                    + "); trying again every heartbeat");
            healthy = false;
        }
    }

    /** name=version lines: flow names and hashes hold neither '=' nor a line break. */
    static String encodeFlows(Map<String, String> flows) {
        var out = new StringBuilder();
        flows.forEach((name, version) -> out.append(name).append('=').append(version).append('\n'));
        return out.toString();
    }

    static Map<String, String> decodeFlows(String text) {
        var out = new LinkedHashMap<String, String>();
        text.lines().filter(line -> line.indexOf('=') > 0)
            .forEach(line -> out.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        return out;
    }

    /**
     * Leaves the fleet: stops the threads and removes this instance's rows (its calls ended
     * before; a call still held is the shutdown's, and its record says so).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.interrupt();
        try {
            writer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (listener != null) {
            listener.close();
        }
        try (var c = pool.getConnection(); var calls = c.prepareStatement("DELETE FROM live_calls WHERE instance_id = ?");
             var member = c.prepareStatement("DELETE FROM fleet_instances WHERE id = ?")) {
            calls.setString(1, instanceId);
            calls.executeUpdate();
            member.setString(1, instanceId);
            member.executeUpdate();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "Fleet: cannot remove instance " + instanceId + " (" + Database.rootMessage(e)
                    + "); the others will when its heartbeat times out");
        }
    }
}
