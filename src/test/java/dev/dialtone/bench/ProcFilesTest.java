package dev.dialtone.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.management.OperatingSystemMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The benchmark's /proc readers against this JVM's own files, checked with the JVM's own figures. */
@EnabledOnOs(OS.LINUX)
class ProcFilesTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void cpuTimeAgreesWithTheJvmsOwnAccount() {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long procBefore = ProcFiles.cpuNanos(PID);
        long jvmBefore = os.getProcessCpuTime();
        burn(400_000_000L);
        long proc = ProcFiles.cpuNanos(PID) - procBefore;
        long jvm = os.getProcessCpuTime() - jvmBefore;
        // /proc counts in clock ticks (10 ms); other threads (GC, JIT) count in both
        assertThat(proc).isGreaterThanOrEqualTo(300_000_000L);
        assertThat((double) proc).isCloseTo(jvm, within(jvm * 0.2 + 50_000_000.0));
    }

    @Test
    void residentMemoryMatchesStatm() throws Exception {
        var memory = ProcFiles.memory(PID);
        // statm's second field: resident pages, an independent view of the same number
        var statm = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
        long statmBytes = Long.parseLong(statm[1]) * pageSize();
        assertThat(memory.rssBytes()).isGreaterThan(10L << 20);
        assertThat(memory.peakBytes()).isGreaterThanOrEqualTo(memory.rssBytes());
        assertThat((double) memory.rssBytes()).isCloseTo(statmBytes, within(statmBytes * 0.1));
    }

    @Test
    void readsFieldsAfterACommandNameWithSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        var stat = "4242 (odd) name (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 99";
        assertThat(ProcFiles.cpuTicks(stat)).isEqualTo(1234 + 567);
        var status = "Name:\tjava\nVmPeak:\t 5000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t30\n";
        assertThat(ProcFiles.memory(status)).isEqualTo(new ProcFiles.Memory(100L << 20, 200L << 20));
    }

    @Test
    void seesOnlyThisProcesssListeningSocket() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
            assertThat(ProcFiles.listening(PID, port)).isTrue();
            var other = new ProcessBuilder("sleep", "10").start();
            try {
                assertThat(ProcFiles.listening(other.pid(), port)).isFalse(); // another process does not hold it
            } finally {
                other.destroy();
            }
        }
        assertThat(ProcFiles.listening(PID, port)).isFalse();
    }

    @Test
    void parsesTheKernelsSocketTable() {
        var table = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0
                   1: 0100007F:1F90 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0
                   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31339 1 0
                """;
        assertThat(ProcFiles.listeningInodes(table, 8080)).containsExactly("31337");
    }

    private static long pageSize() throws Exception {
        var getconf = new ProcessBuilder("getconf", "PAGESIZE").start();
        return Long.parseLong(new String(getconf.getInputStream().readAllBytes()).trim());
    }

    /** Uses {@code nanos} of this thread's CPU time, however busy the machine is. */
    private static void burn(long nanos) {
        var threads = ManagementFactory.getThreadMXBean();
        long end = threads.getCurrentThreadCpuTime() + nanos;
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < end) {
            x += Long.numberOfTrailingZeros(x + 1);
        }
        assertThat(x).isNotNegative();
    }
}
