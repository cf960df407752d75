package dev.dialtone;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoredVersion;

/**
 * Stores each flow version in the call store as it goes live (at start and after every reload that
 * changes it), with its flow file and plugin sources, so a stored call's version can always be
 * read back. Each write runs on a virtual thread of its own: the reload that made the version never
 * waits for the database, and a failed write is logged and counted, never thrown.
 */
final class VersionLog {
    private static final System.Logger LOG = System.getLogger(VersionLog.class.getName());

    private final CallStore store;
    private final Counter failed;

    private VersionLog(CallStore store, MeterRegistry meters) {
        this.store = store;
        this.failed = Counter.builder("dialtone.store.flow_versions.failed")
                .description("Flow versions that went live but could not be stored").register(meters);
    }

    /** Stores the live versions now and every version that goes live from now on. */
    static void attach(FlowRegistry flows, CallStore store, MeterRegistry meters) {
        var log = new VersionLog(store, meters);
        flows.onReload(outcome -> {
            if (outcome.applied()) {
                outcome.changed().forEach(name -> flows.byName(name).ifPresent(log::store));
            }
        });
        flows.versions().forEach(log::store); // the same version twice is stored once
    }

    private void store(FlowVersion version) {
        var files = version.files().entrySet().stream().map(e -> new StoredVersion.File(e.getKey(), e.getValue())).toList();
        var stored = new StoredVersion(version.name(), version.hash(), version.loadedAt(), files);
        Thread.ofVirtual().name("store-version-" + version.name()).start(() -> {
            try {
                store.saveVersion(stored);
            } catch (RuntimeException e) {
                failed.increment();
                LOG.log(System.Logger.Level.WARNING, "cannot store version " + version.hash() + " of flow " + version.name()
                        + ": " + e.getMessage());
            }
        });
    }
}
