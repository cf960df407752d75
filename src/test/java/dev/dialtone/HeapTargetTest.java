package dev.dialtone;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeapTargetTest {

    @Test
    void theSoftLimitIsWhatTheSettingAsksUpToHalfTheHeapLimit() {
        assertThat(HeapTarget.softLimit(256, 6L << 30)).contains(256L << 20);
        assertThat(HeapTarget.softLimit(256, 384L << 20)).as("a small container").contains(192L << 20);
        assertThat(HeapTarget.softLimit(0, 6L << 30)).as("0 leaves the JVM's own sizing").isEmpty();
    }

    @Test
    void theServerSetsZgcsSoftLimitOnceAndAValueAlreadySetWins() {
        var diagnostics = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertThat(diagnostics.getVMOption("UseZGC").getValue()).as("the tests run with the shipped flags").isEqualTo("true");
        long half = Runtime.getRuntime().maxMemory() / 2;

        var set = HeapTarget.apply(1 << 20); // more than the test JVM's heap: capped at half of it
        assertThat(set).contains(half);
        assertThat(diagnostics.getVMOption("SoftMaxHeapSize").getValue()).isEqualTo(Long.toString(half));

        assertThat(HeapTarget.apply(64)).as("set already (as a command line would)").isEmpty();
        assertThat(diagnostics.getVMOption("SoftMaxHeapSize").getValue()).isEqualTo(Long.toString(half));
    }
}
