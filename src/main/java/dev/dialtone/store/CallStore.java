package dev.dialtone.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Call records in a SQL database: H2 in a file by default, PostgreSQL when the URL names one, the
 * same schema on both (migrated on open). Calls are written through {@link #recorder()}, which
 * never blocks its caller, and read back with {@link #findCalls} and {@link #findCall}. Calls
 * older than the retention setting are purged periodically. {@link #close()} writes what is
 * still queued (waiting at most the flush timeout) and closes the pool.
 */
public final class CallStore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CallStore.class.getName());

    private final StoreSettings settings;
    private final OpeningPool pool;
    private final CallRecorder recorder;
    private final CallReader reader;
    private final AnalysisTable analyses;
    private final WebhookQueue webhooks;
    private final Counter purged;
    private final VersionArchive versions;
    private final Counter versionsCut;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final MeterRegistry registry;
    private final Clock clock;
    private final CallRecordings recordings;
    private volatile RecordingRemover remover;
    /** Null until {@link #joinFleet}. */
    private volatile Fleet fleet;
    /** Null when calls are kept forever. */
    private final Retention retention;

    private CallStore(StoreSettings settings, OpeningPool pool, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.pool = pool;
        this.registry = registry;
        this.clock = clock;
        this.reader = new CallReader(pool);
        this.analyses = new AnalysisTable(pool);
        this.webhooks = new WebhookQueue(pool);
        this.recordings = new CallRecordings(pool);
        this.purged = Counter.builder("dialtone.store.calls.purged").register(registry);
        this.versions = new VersionArchive(pool);
        this.versionsCut = Counter.builder("dialtone.store.flow_versions.cut")
                .description("Flow versions stored with files dropped or cut at the store's limits").register(registry);
        this.recorder = new CallRecorder(pool, settings, registry, clock);
        this.retention = settings.retention().isZero() ? null
                : new Retention(this::purgeOlderThan, settings.retention(), settings.purgeInterval(), clock);
    }

    /**
     * Opens the database, migrates its schema and starts the writer and the retention purge.
     *
     * @throws StoreException when the database cannot be reached or migrated
     */
    public static CallStore open(StoreSettings settings, MeterRegistry registry, Clock clock) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        return new CallStore(settings, OpeningPool.of(Database.open(settings), settings.connectTimeout()), registry, clock);
    }

    /**
     * As {@link #open(StoreSettings, MeterRegistry, Clock)}, but returns at once: the database opens
     * and migrates on a thread of its own while the server starts ({@link OpeningPool}); see
     * {@link #opened()}.
     */
    public static CallStore openInBackground(StoreSettings settings, MeterRegistry registry, Clock clock) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        return new CallStore(settings, OpeningPool.open(settings), registry, clock);
    }

    /** Completes when the database is open and migrated, exceptionally with a {@link StoreException} when it cannot be. */
    public CompletableFuture<Void> opened() {
        return pool.opened();
    }

    /** Whether the database is open (always, for a store made by {@link #open}). */
    public boolean isOpen() {
        return pool.isOpen();
    }

    public static CallStore open(StoreSettings settings, MeterRegistry registry) {
        return open(settings, registry, Clock.systemUTC());
    }

    /** Where conversations hand their records; never blocks, never throws for the database. */
    public CallRecorder recorder() {
        return recorder;
    }

    /**
     * Registers this instance in the database's fleet (its calls, heartbeat and flow versions; see
     * {@link Fleet}); closed with the store.
     *
     * @param flows the version of each flow this instance serves now, asked at every heartbeat
     */
    public synchronized Fleet joinFleet(String instanceId, Duration heartbeat, int missedHeartbeats,
                                        Supplier<Map<String, String>> flows) {
        if (fleet != null) {
            throw new IllegalStateException("already in the fleet as " + fleet.instanceId());
        }
        fleet = new Fleet(pool, settings, instanceId, heartbeat, missedHeartbeats, flows, registry, clock);
        return fleet;
    }

    /** The durable queue of webhook deliveries. */
    public WebhookQueue webhooks() {
        return webhooks;
    }

    /** One page of calls matching {@code query}, newest first, with the total number matching. */
    public CallPage findCalls(CallQuery query) {
        try {
            return reader.findCalls(query);
        } catch (SQLException e) {
            throw new StoreException("cannot list calls: " + Database.rootMessage(e), e);
        }
    }

    /** A call with its turns, tool calls, events and usage; empty when no call has that sid. */
    public Optional<CallDetail> findCall(String sid) {
        Objects.requireNonNull(sid, "sid");
        try {
            return reader.findCall(sid);
        } catch (SQLException e) {
            throw new StoreException("cannot read call " + sid + ": " + Database.rootMessage(e), e);
        }
    }

    /**
     * Stores a call's analysis in place of any earlier one; false when the call itself is not in
     * the store yet (its record is written asynchronously: try again shortly). Blocking.
     */
    public boolean saveAnalysis(AnalysisRecord analysis) {
        try {
            return analyses.save(analysis);
        } catch (SQLException e) {
            throw new StoreException("cannot store the analysis of call " + analysis.callSid() + ": " + Database.rootMessage(e), e);
        }
    }

    /**
     * Stores a flow version that went live (once: the same version again is left as it is), with at
     * most {@link StoredVersion#MAX_FILES} files of {@link StoredVersion#MAX_FILE_CHARS} characters.
     * Blocks on the database; returns whether it wrote.
     */
    public boolean saveVersion(StoredVersion version) {
        if (version.overLimits()) {
            versionsCut.increment();
        }
        try {
            return versions.save(version.bounded());
        } catch (SQLException e) {
            throw new StoreException("cannot store version " + version.version() + " of flow " + version.flow() + ": "
                    + Database.rootMessage(e), e);
        }
    }

    /** The stored versions of {@code flow}, the latest to go live first, at most {@code limit} (1 to 500). */
    public List<VersionSummary> versions(String flow, int limit) {
        Objects.requireNonNull(flow, "flow");
        if (limit < 1 || limit > 500) {
            throw new IllegalArgumentException("limit must be 1 to 500, got " + limit);
        }
        try {
            return versions.list(flow, limit);
        } catch (SQLException e) {
            throw new StoreException("cannot list versions of flow " + flow + ": " + Database.rootMessage(e), e);
        }
    }

    /** One stored version of a flow with its files; empty when it was never stored. */
    public Optional<StoredVersion> findVersion(String flow, String version) {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(version, "version");
        try {
            return versions.find(flow, version);
        } catch (SQLException e) {
            throw new StoreException("cannot read version " + version + " of flow " + flow + ": " + Database.rootMessage(e), e);
        }
    }


    /** Deletes a recording where it is kept (Twilio); throws when it could not. */
    public interface RecordingRemover {
        void delete(String recordingSid);
    }

    /** How the purge deletes recordings; until this is set, recording rows are kept (nothing could delete their audio). */
    public void deleteRecordingsWith(RecordingRemover remover) {
        this.remover = remover;
    }

    /** Records a recording's sid and status as Twilio reports it; a final status is not replaced by a late earlier one. */
    public void recordingStatus(String recordingSid, String callSid, String status, Optional<Integer> channels,
                                Optional<Integer> durationSeconds) {
        try {
            recordings.update(recordingSid, callSid, status, channels, durationSeconds, clock.instant());
        } catch (SQLException e) {
            throw new StoreException("cannot record recording " + recordingSid + ": " + Database.rootMessage(e), e);
        }
    }

    /** A call's recordings, oldest first. */
    public List<RecordingRecord> recordings(String callSid) {
        try {
            return recordings.forCall(callSid);
        } catch (SQLException e) {
            throw new StoreException("cannot read the recordings of " + callSid + ": " + Database.rootMessage(e), e);
        }
    }

    /**
     * Deletes every call started before {@code cutoff} with all its records; returns how many. Their
     * recordings are deleted at Twilio first, then here.
     */
    public int purgeOlderThan(Instant cutoff) {
        try {
            var remove = remover;
            if (remove != null) {
                recordings.purge(cutoff, remove);
            }
            var count = CallReader.purge(pool, cutoff);
            purged.increment(count);
            if (count > 0) {
                LOG.log(System.Logger.Level.INFO, "Purged " + count + " calls started before " + cutoff);
            }
            return count;
        } catch (SQLException e) {
            throw new StoreException("cannot purge calls: " + Database.rootMessage(e), e);
        }
    }

    public StoreSettings settings() {
        return settings;
    }

    /** Stops the purge, flushes the recorder (bounded by the flush timeout), closes the pool. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (retention != null) {
            retention.stop();
        }
        if (fleet != null) {
            fleet.close();
        }
        recorder.close();
        pool.close();
    }
}
