package dev.dialtone.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What Linux says about a process, from /proc: its CPU time ({@code /proc/<pid>/stat}), its
 * resident memory ({@code /proc/<pid>/status}), and whether it listens on a TCP port
 * ({@code /proc/net/tcp*} and its file descriptors). Read from outside the process, so a benchmark
 * measures a server without asking it.
 */
final class ProcFiles {
    /** Kernel clock ticks per second, the unit of utime and stime; USER_HZ is 100 on every common Linux. */
    private static final long TICKS_PER_SECOND = clockTicks();
    private static final String LISTEN = "0A";

    /** Resident memory: now (VmRSS) and the process's high-water mark (VmHWM), in bytes. */
    record Memory(long rssBytes, long peakBytes) {
    }

    private ProcFiles() {
    }

    /** User plus system CPU time the process has used so far, every thread included, in nanoseconds. */
    static long cpuNanos(long pid) {
        return cpuTicks(read(Path.of("/proc", Long.toString(pid), "stat"))) * 1_000_000_000L / TICKS_PER_SECOND;
    }

    /** The process's resident memory now and at its peak. */
    static Memory memory(long pid) {
        return memory(read(Path.of("/proc", Long.toString(pid), "status")));
    }

    /**
     * utime + stime (fields 14 and 15) of a /proc/PID/stat line, in clock ticks. The command name
     * (field 2) is in parentheses and may itself hold spaces and parentheses, so the fields are
     * counted from the last ')'.
     */
    static long cpuTicks(String stat) {
        var fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // fields[0] is field 3 (state), so field n is fields[n - 3]
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /** VmRSS and VmHWM of a /proc/PID/status text ("VmRSS:\t  123456 kB"). */
    static Memory memory(String status) {
        long rss = -1;
        long peak = -1;
        for (var line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                rss = kilobytes(line) * 1024;
            } else if (line.startsWith("VmHWM:")) {
                peak = kilobytes(line) * 1024;
            }
        }
        if (rss < 0 || peak < 0) {
            throw new IllegalStateException("no VmRSS or VmHWM in /proc status (a kernel thread, or not Linux?)");
        }
        return new Memory(rss, peak);
    }

    /**
     * Whether the process holds a socket listening on {@code port} (any address, IPv4 or IPv6):
     * the kernel's socket tables give the listening socket's inode, and the process's file
     * descriptors show whether it is one of them. Another process on the same port does not count.
     */
    static boolean listening(long pid, int port) {
        var inodes = new HashSet<String>();
        for (var table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            inodes.addAll(listeningInodes(readIfPresent(Path.of(table)), port));
        }
        if (inodes.isEmpty()) {
            return false;
        }
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    var target = Files.readSymbolicLink(fd).toString(); // "socket:[12345]"
                    return target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1));
                } catch (IOException e) {
                    return false; // closed while we looked
                }
            });
        } catch (NoSuchFileException e) {
            return false; // the process is gone
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Inodes of the sockets in LISTEN state on {@code port} in a /proc/net/tcp(6) table, whose
     * lines read "sl local_address rem_address st ... inode" with the address as hex "IP:PORT".
     */
    static Set<String> listeningInodes(String table, int port) {
        var inodes = new HashSet<String>();
        var hexPort = String.format(Locale.ROOT, "%04X", port);
        var localPort = ":" + hexPort + " ";
        for (var line : table.split("\n")) {
            if (!line.contains(localPort)) {
                continue; // most lines: split only the few that can match (a busy host has thousands)
            }
            var f = line.trim().split(" +");
            if (f.length > 9 && f[3].equals(LISTEN) && f[1].endsWith(":" + hexPort)) {
                inodes.add(f[9]);
            }
        }
        return inodes;
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String readIfPresent(Path file) {
        return Files.isReadable(file) ? read(file) : "";
    }

    private static long clockTicks() {
        try {
            var getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            var out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return getconf.waitFor() == 0 && out.matches("[0-9]+") ? Long.parseLong(out) : 100;
        } catch (IOException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
