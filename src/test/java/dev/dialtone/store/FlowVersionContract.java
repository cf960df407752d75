package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stored flow versions on each database the store supports: written once with their files, read
 * back exactly, listed the latest first with the number of stored calls that ran on each, and cut
 * (and counted) at the store's limits.
 */
abstract class FlowVersionContract extends StoreTestBase {
    static final String FLOW_V1 = "name: luigis\nprompt: You take pizza orders.\n";
    static final String FLOW_V2 = "name: luigis\nprompt: You take pizza orders. Ask for the ZIP code first.\n";
    static final String PLUGIN = "export default { name: 'check_zip' };\n";

    @Test
    void aVersionIsStoredOnceReadBackExactlyAndListedWithItsCalls() throws Exception {
        var store = open(newDatabaseUrl());
        var v1 = new StoredVersion("luigis", "aaa111", T0, List.of(new StoredVersion.File("flows/luigis.yaml", FLOW_V1),
                new StoredVersion.File("plugins/check_zip.js", PLUGIN)));
        var v2 = new StoredVersion("luigis", "bbb222", T0.plusSeconds(60), List.of(new StoredVersion.File("flows/luigis.yaml", FLOW_V2)));
        assertThat(store.saveVersion(v1)).isTrue();
        assertThat(store.saveVersion(v2)).isTrue();
        var again = new StoredVersion("luigis", "aaa111", T0.plusSeconds(120), List.of(new StoredVersion.File("flows/luigis.yaml", "other")));
        assertThat(store.saveVersion(again)).as("the same version again is left as it was").isFalse();
        store.saveVersion(new StoredVersion("other", "aaa111", T0, List.of()));

        var recorder = store.recorder();
        for (var sid : List.of("CA-V1", "CA-V2", "CA-V3")) {
            recorder.callStarted(new CallStart(sid, "luigis", sid.equals("CA-V1") ? "aaa111" : "bbb222", "+1555", "+1556",
                    Direction.INBOUND, T0.plusSeconds(200)));
        }
        await(() -> store.findCalls(CallQuery.all()).total() == 3);

        assertThat(store.findVersion("luigis", "aaa111")).contains(v1);
        assertThat(store.findVersion("luigis", "ccc333")).isEmpty();
        assertThat(store.versions("luigis", 10)).containsExactly(
                new VersionSummary("luigis", "bbb222", T0.plusSeconds(60), 2),
                new VersionSummary("luigis", "aaa111", T0, 1));
        assertThat(store.versions("luigis", 1)).extracting(VersionSummary::version).containsExactly("bbb222");
    }

    @Test
    void filesPastTheLimitsAreCutAndCounted() throws Exception {
        var meters = new SimpleMeterRegistry();
        var store = open(settings(newDatabaseUrl()), meters);
        var big = "x".repeat(StoredVersion.MAX_FILE_CHARS + 10);
        var files = new ArrayList<StoredVersion.File>();
        files.add(new StoredVersion.File("flows/big.yaml", big));
        for (int i = 0; i < StoredVersion.MAX_FILES + 5; i++) {
            files.add(new StoredVersion.File("plugins/p" + i + ".js", "// " + i));
        }
        store.saveVersion(new StoredVersion("big", "abc", T0, files));

        var stored = store.findVersion("big", "abc").orElseThrow();
        assertThat(stored.files()).hasSize(StoredVersion.MAX_FILES);
        assertThat(stored.files().getFirst().text()).startsWith("x".repeat(1000))
                .endsWith("[cut: the file has " + (StoredVersion.MAX_FILE_CHARS + 10) + " characters; the store keeps "
                        + StoredVersion.MAX_FILE_CHARS + "]");
        assertThat(meters.counter("dialtone.store.flow_versions.cut").count()).isEqualTo(1.0);
    }
}
