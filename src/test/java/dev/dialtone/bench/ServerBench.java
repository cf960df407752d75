package dev.dialtone.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The call benchmark ({@code bin/dialtone bench}): the server as shipped, in a process of its own
 * started exactly as {@code bin/dialtone serve} starts it (same flags, config.yaml, logging), driven
 * from this process by fake Twilio callers through fake providers with fixed delays. It reports the
 * server's start-up and idle memory, then per concurrency level the callers' reply and barge-in
 * latencies and failures and the server's own CPU and memory from /proc; optionally a soak.
 *
 * <p>Exit status: 0 when every call went through, 3 when a turn failed (or the soak's memory or CPU
 * grew), 1 when the server did not start or died, 2 for a usage error.
 */
public final class ServerBench {
    private static final String LOG_NAME = "server.log";
    private static final Duration IDLE_AFTER_LOAD = Duration.ofSeconds(60);

    /** The command line, read. */
    record Options(List<Integer> levels, Optional<Duration> soak, int soakCalls, int warmUpCalls, Optional<Integer> port,
                   BenchFakes.Listening listening) {
        static Options parse(String[] args) {
            var levels = new ArrayList<Integer>();
            Optional<Duration> soak = Optional.empty();
            int soakCalls = 100;
            int warmUp = 100;
            Optional<Integer> port = Optional.empty();
            boolean flux = false;
            boolean speculate = false;
            for (int i = 0; i < args.length; i++) {
                var arg = args[i];
                switch (arg) {
                    case "--soak" -> {
                        boolean given = i + 1 < args.length && args[i + 1].matches("[0-9]+[smh]");
                        soak = Optional.of(given ? duration(args[++i]) : Duration.ofMinutes(10));
                    }
                    case "--soak-calls" -> soakCalls = number(args, ++i, arg);
                    case "--warmup" -> warmUp = number(args, ++i, arg);
                    case "--port" -> port = Optional.of(number(args, ++i, arg));
                    case "--flux" -> flux = true;
                    case "--speculate" -> speculate = true;
                    default -> {
                        if (!arg.matches("[0-9]+") || Integer.parseInt(arg) < 1) {
                            throw new IllegalArgumentException("unknown argument '" + arg + "'");
                        }
                        levels.add(Integer.parseInt(arg));
                    }
                }
            }
            if (levels.isEmpty() && soak.isEmpty()) {
                levels.addAll(List.of(1, 50, 100, 200));
            }
            return new Options(List.copyOf(levels), soak, soakCalls, warmUp, port, new BenchFakes.Listening(flux, speculate));
        }

        private static int number(String[] args, int i, String option) {
            if (i >= args.length || !args[i].matches("[0-9]+")) {
                throw new IllegalArgumentException(option + " needs a number");
            }
            return Integer.parseInt(args[i]);
        }

        private static Duration duration(String text) {
            long n = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }

    private ServerBench() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            usage(System.out);
            System.exit(0);
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("dialtone bench: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        int exit;
        try {
            exit = run(options, String.join(" ", args), System.out);
        } catch (Exception e) {
            System.out.flush();
            System.err.println("dialtone bench: " + e);
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit); // the fakes' threads would keep the JVM alive
    }

    private static void usage(PrintStream out) {
        out.println("""
                usage: bin/dialtone bench [LEVEL ...] [--soak [DURATION]] [options]
                  LEVEL              concurrent calls per level (default 1 50 100 200): 3 tool turns + a barge-in each
                  --soak [DURATION]  the soak level: calls of about a minute, replaced as they end (default 10m; 90s, 2h)
                  --soak-calls N     calls at all times during the soak (default 100)
                  --warmup N         calls of warm-up before anything is measured (default 100; 0 for none)
                  --port N           the server's port (default: a free one)
                  --flux             the flow listens with Deepgram Flux (eager and final end of turn) instead of Nova
                  --speculate        the flow prepares replies on a likely end of turn (turn.speculate)
                  --in-process       the old benchmark: server, fakes and callers in one JVM, logging off (for profiling)
                DIALTONE_JAVA_OPTS goes to the server, as with bin/dialtone serve (e.g. a JFR recording).""");
    }

    static int run(Options options, String args, PrintStream out) throws Exception {
        var root = Path.of("").toAbsolutePath();
        if (!Files.isExecutable(root.resolve("bin/dialtone"))) {
            throw new IllegalStateException("run it from the repository, as bin/dialtone bench");
        }
        out.println("Dialtone call benchmark: the server as shipped (bin/dialtone serve) in its own process; "
                    + Runtime.getRuntime().availableProcessors() + " cores, shared with this benchmark's fakes and callers");
        out.println("Command: bin/dialtone bench " + args
                    + Optional.ofNullable(System.getenv("DIALTONE_JAVA_OPTS")).map(o -> "   (DIALTONE_JAVA_OPTS=" + o + ")").orElse(""));
        out.printf(Locale.ROOT, "Fixed fake delays: STT end of turn %d ms after speech, LLM first token %d ms, TTS first byte "
                   + "%d ms; callers send 20 ms of audio every 20 ms, as Twilio does%n", BenchFakes.STT_ENDPOINTING.toMillis(),
                   BenchFakes.LLM_FIRST_TOKEN.toMillis(), BenchFakes.TTS_FIRST_BYTE.toMillis());
        out.println("Listening: " + options.listening());
        var dir = Files.createTempDirectory("dialtone-bench-");
        try (var fakes = new BenchFakes(dir, options.listening())) {
            int port = options.port().orElse(ServerProcess.freePort());
            if (options.port().isPresent()) {
                ServerProcess.requireFree(port);
            }
            var command = ServerProcess.launcherCommand(root, Map.of());
            out.println("Server: " + String.join(" ", command));
            out.println("  in " + root + " on port " + port + "; its data and log in " + dir);
            var report = new Report(out);
            report.startUpHeader();
            // a first start on an empty database (its schema made), stopped; then the start every
            // restart and deploy sees (the database there already), which the levels then load
            out.println("Starting the server on an empty database ...");
            long first = System.nanoTime();
            try (var server = ServerProcess.start(root, command, fakes.serverEnvironment(port), port, dir.resolve("server-first.log"))) {
                idleAfterStart(server, server.awaitReady(first, out), report, "first start (empty database)", out);
            }
            out.println("Starting it again on that database ...");
            long started = System.nanoTime();
            try (var server = ServerProcess.start(root, command, fakes.serverEnvironment(port), port, dir.resolve(LOG_NAME))) {
                idleAfterStart(server, server.awaitReady(started, out), report, "restart (database exists)", out);
                return measure(options, server, fakes, port, report, out);
            }
        } catch (ServerProcess.ServerFailure e) {
            out.println();
            out.println("dialtone bench: " + e.getMessage());
            return 1;
        } finally {
            cleanUp(dir, out);
        }
    }

    /** The start-up row of a server just ready: its CPU and RSS then, and 5 s later while idle. */
    private static void idleAfterStart(ServerProcess server, ServerProcess.StartUp startUp, Report report, String label,
                                       PrintStream out) throws Exception {
        double cpuToReady = server.cpuSeconds();
        long readyRss = server.memory().rssBytes();
        out.printf(Locale.ROOT, "Ready: listening after %d ms, ready (/observe/health/ready) after %d ms; idle for 5 s to read its RSS%n",
                   startUp.listeningMillis(), startUp.readyMillis());
        Thread.sleep(5_000);
        double idleCores = (server.cpuSeconds() - cpuToReady) / 5;
        report.startUp(label, startUp, cpuToReady, readyRss, server.memory().rssBytes(), idleCores);
    }

    private static int measure(Options options, ServerProcess server, BenchFakes fakes, int port, Report report, PrintStream out)
            throws Exception {
        var levels = new LevelRun(server, fakes, port, out);
        out.println();
        if (options.warmUpCalls() > 0) {
            // a ramp, as a server sees after a start: a tenth of the calls, then the rest at once
            out.println("The warm-up's figures are not reported: the server's JIT compiler is still at work.");
            int first = Math.max(1, options.warmUpCalls() / 10);
            for (var wave : List.of(first, options.warmUpCalls() - first)) {
                if (wave > 0) {
                    var warmUp = levels.run("Warm-up", wave);
                    if (warmUp.failed()) {
                        out.println("  the warm-up had failures: " + warmUp.tally().reasons() + " "
                                    + ServerRecords.errorLines(warmUp.server()));
                    }
                }
            }
        }
        var results = new ArrayList<LevelRun.Result>();
        for (int calls : options.levels()) {
            out.println();
            results.add(levels.run("Level " + calls, calls));
        }
        report.levels(results);
        if (options.soak().isEmpty() && !results.isEmpty()) {
            // the server collects once quiet for 10 s, and ZGC returns heap unused for 30 s
            long atEnd = server.memory().rssBytes();
            out.println();
            out.println("Idle for " + IDLE_AFTER_LOAD.toSeconds() + " s after the load, to see the memory the server gives back ...");
            Thread.sleep(IDLE_AFTER_LOAD.toMillis());
            report.idleAfterLoad(IDLE_AFTER_LOAD.toSeconds(), atEnd, server.memory().rssBytes());
        }
        boolean passed = results.stream().noneMatch(LevelRun.Result::failed);
        if (options.soak().isPresent()) {
            out.println();
            passed &= new Soak(server, fakes, port, out).run(options.soakCalls(), options.soak().get());
        }
        out.println();
        out.printf(Locale.ROOT, "Server: %.1f CPU s in all, peak RSS (VmHWM) %d MB, %d log lines (%d at WARNING or above)%n",
                   server.cpuSeconds(), server.memory().peakBytes() >> 20, server.logLines(), server.logWarnings());
        return passed ? 0 : 3;
    }

    /** Removes the server's database, data, flows and plugins; keeps its log for reading afterwards. */
    private static void cleanUp(Path dir, PrintStream out) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (var file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!file.equals(dir) && !file.getFileName().toString().equals(LOG_NAME)) {
                    Files.deleteIfExists(file);
                }
            }
            if (Files.exists(dir.resolve(LOG_NAME))) {
                out.println("Server log: " + dir.resolve(LOG_NAME));
            } else {
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            out.println("Could not clean " + dir + ": " + e.getMessage());
        }
    }
}
