package dev.dialtone.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;

import dev.dialtone.fakes.FakeTwilio;

/**
 * One concurrency level: {@code calls} calls started over two seconds, each with
 * {@link #TURNS} tool turns and a barge-in, and what the server spent on them, read from /proc.
 */
final class LevelRun {
    static final int TURNS = 3;

    /** A level's figures: the callers' tally and the server's own CPU, memory and log. */
    record Result(int calls, Tally tally, double wallSeconds, double callMinutes, double serverCpuSeconds,
                  double driverCpuSeconds, long peakRss, long endRss, long toolCalls, long toolResultsMissing,
                  int llmRefusals, long logLines, long logWarnings, ServerRecords.Summary server) {

        /** Server CPU seconds per minute of call. */
        double cpuPerCallMinute() {
            return callMinutes == 0 ? 0 : serverCpuSeconds / callMinutes;
        }

        /** Anything the callers or the fake LLM saw go wrong. */
        boolean failed() {
            return tally.failedTurns() > 0 || toolResultsMissing > 0 || llmRefusals > 0 || server.failed();
        }
    }

    private final ServerProcess server;
    private final BenchFakes fakes;
    private final FakeTwilio twilio;
    private final PrintStream out;
    private final int port;

    LevelRun(ServerProcess server, BenchFakes fakes, int port, PrintStream out) {
        this.server = server;
        this.fakes = fakes;
        this.twilio = fakes.twilio(port);
        this.port = port;
        this.out = out;
    }

    Result run(String name, int calls) throws InterruptedException, ServerProcess.ServerFailure {
        var tally = new Tally();
        var live = new Tally.LiveCalls();
        fakes.takeToolResultsMissing(); // counts start with this level
        int refusalsBefore = fakes.llmRefusals();
        long logBefore = server.logLines();
        long warningsBefore = server.logWarnings();
        double cpuBefore = server.cpuSeconds();
        double driverBefore = driverCpuSeconds();
        long started = System.nanoTime();
        out.printf(Locale.ROOT, "%s: %d calls, %d tool turns and a barge-in each%n", name, calls, TURNS);
        try (var sampler = new Sampler(server, Duration.ofSeconds(5), () -> progress(calls, tally, live), out)) {
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < calls; i++) {
                    long stagger = i * 2000L / Math.max(1, calls); // call starts spread over two seconds
                    pool.submit(() -> {
                        Thread.sleep(stagger);
                        new BenchCall(twilio, TURNS, 0, () -> tally, live).run();
                        return null;
                    });
                }
            }
            double wall = (System.nanoTime() - started) / 1e9;
            server.requireAlive(name.toLowerCase(Locale.ROOT));
            double callMinutes = live.callMinutes();
            double cpu = server.cpuSeconds() - cpuBefore;
            double driverCpu = driverCpuSeconds() - driverBefore;
            long peakRss = sampler.peakRss();
            long endRss = server.memory().rssBytes();
            long logLines = server.logLines() - logBefore;
            long warnings = server.logWarnings() - warningsBefore;
            sampler.close();
            // read after the figures above, so that the reading costs the measured part nothing
            var reader = fakes.records(port);
            var records = reader.read(tally.callSids());
            if (!records.stillActive().isEmpty()) {
                out.printf(Locale.ROOT, "%s: the server still holds %d of these calls open after their callers hung up; "
                           + "hung up through the admin API: %d%n", name, records.stillActive().size(),
                           reader.hangUp(records.stillActive()));
            }
            var result = new Result(calls, tally, wall, callMinutes, cpu, driverCpu, peakRss, endRss, fakes.toolCallsMade(),
                                    fakes.takeToolResultsMissing(), fakes.llmRefusals() - refusalsBefore, logLines, warnings,
                                    records);
            out.printf(Locale.ROOT, "%s done in %.0f s: %d turns, %d failed; the server's record: %d of %d tool turns "
                       + "answered wrongly, %d errors, %d calls left open; server %.2f CPU s per call-minute%n",
                       name, wall, tally.turns(), tally.failedTurns(), records.wrongReplies(), records.toolTurns(),
                       records.errors().values().stream().mapToInt(Integer::intValue).sum(), records.stillActive().size(),
                       result.cpuPerCallMinute());
            return result;
        }
    }

    private static String progress(int calls, Tally tally, Tally.LiveCalls live) {
        return String.format(Locale.ROOT, "%d of %d calls ended, %d live, %d turns, %d failed", tally.callsEnded(), calls,
                             live.live(), tally.turns(), tally.failedTurns());
    }

    /** This process's CPU (fakes and callers): when it nears every core, the callers' own timing suffers. */
    static double driverCpuSeconds() {
        return ProcFiles.cpuNanos(ProcessHandle.current().pid()) / 1e9;
    }
}
