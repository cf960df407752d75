package dev.dialtone;

import java.lang.management.ManagementFactory;
import java.util.Optional;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

/**
 * The heap the server keeps to. ZGC sizes the heap toward its limit (by default a quarter of the
 * machine's memory) whether or not the calls need it: measured with the benchmark, 100 calls that
 * hold about 0.1 MB each peaked at 1.5 GB RSS. ZGC's soft limit ({@code SoftMaxHeapSize}) makes it
 * collect to stay under a target and go over it only under pressure, up to the limit. The flag is
 * manageable, so the server sets it at start from {@code dialtone.soft-heap-mb}, capped at half the
 * heap limit (a JVM flag larger than the limit is refused at launch, so it cannot sit in the launch
 * flags for every container size). A value given on the command line wins.
 */
final class HeapTarget {
    private static final System.Logger LOG = System.getLogger(HeapTarget.class.getName());
    private static final String FLAG = "SoftMaxHeapSize";

    private HeapTarget() {
    }

    /** The soft limit for {@code wantedMb} under a heap limit of {@code maxBytes}: at most half of it; empty for 0. */
    static Optional<Long> softLimit(int wantedMb, long maxBytes) {
        if (wantedMb <= 0) {
            return Optional.empty();
        }
        return Optional.of(Math.min((long) wantedMb << 20, maxBytes / 2));
    }

    /** Sets the soft limit when the JVM runs ZGC and the command line did not set it; returns what was set. */
    static Optional<Long> apply(int wantedMb) {
        var diagnostics = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (diagnostics == null || !"true".equals(diagnostics.getVMOption("UseZGC").getValue())) {
            return Optional.empty();
        }
        var origin = diagnostics.getVMOption(FLAG).getOrigin();
        if (origin != VMOption.Origin.DEFAULT && origin != VMOption.Origin.ERGONOMIC) {
            return Optional.empty(); // the command line (or an earlier call) set it
        }
        long max = Runtime.getRuntime().maxMemory();
        var soft = softLimit(wantedMb, max);
        soft.ifPresent(bytes -> {
            diagnostics.setVMOption(FLAG, Long.toString(bytes));
            LOG.log(System.Logger.Level.INFO, "Heap: ZGC keeps to {0} MB (soft limit), up to {1} MB under pressure",
                    String.valueOf(bytes >> 20), String.valueOf(max >> 20));
        });
        return soft;
    }
}
