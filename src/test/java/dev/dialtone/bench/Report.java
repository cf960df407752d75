package dev.dialtone.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The benchmark's tables, in the Markdown README.md quotes. */
final class Report {
    private static final String HEADER = """
            | calls | turns | failed turns | tool turns answered wrongly | tool results not sent back \
            | reply p50 / p95 / p99 ms | p99 vs first level | overhead p50 / p99 ms | barge-in p50 / p95 ms \
            | server CPU s per call-minute | server RSS peak / end MB | server log lines |
            |---:|---:|---:|---:|---:|---|---:|---|---|---:|---|---:|""";

    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    /** Start-up rows go to a table of their own, printed at the end of the start-ups. */
    private final StringBuilder startUps = new StringBuilder();

    void startUpHeader() {
        startUps.append("| server start | process start to listening | to ready (/observe/health/ready 200) | CPU s to ready "
                        + "| RSS at ready MB | idle RSS MB (5 s later) | idle CPU (cores, those 5 s) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
    }

    void startUp(String label, ServerProcess.StartUp startUp, double cpuToReady, long readyRss, long idleRss, double idleCores) {
        startUps.append(String.format(Locale.ROOT, "| %s | %d ms | %d ms | %.2f | %d | %d | %.3f |%n", label,
                startUp.listeningMillis(), startUp.readyMillis(), cpuToReady, readyRss >> 20, idleRss >> 20, idleCores));
        out.println();
        out.print(startUps);
    }

    /** RSS after the last level, once the server has been idle long enough to give memory back. */
    void idleAfterLoad(long seconds, long rssAtEnd, long rssIdle) {
        out.println();
        out.printf(Locale.ROOT, "Idle after the load: RSS %d MB at the end of the last level, %d MB after %d s without calls%n",
                   rssAtEnd >> 20, rssIdle >> 20, seconds);
    }

    /** Every level's row, latency ratios against the first level (usually 1 call), then notes per level. */
    void levels(List<LevelRun.Result> levels) {
        if (levels.isEmpty()) {
            return;
        }
        out.println();
        out.println("Reply = last caller speech frame sent -> first reply audio heard, on tool turns; overhead = reply minus "
                    + BenchFakes.TOOL_TURN_FIXED_MS + " ms of fixed fake delays (STT end of turn, LLM first token twice, TTS first byte).");
        out.println("Barge-in = first interrupting frame sent -> Twilio's clear received. CPU and RSS are the server process's own (/proc).");
        out.println(HEADER);
        long firstP99 = Tally.percentile(levels.get(0).tally().replyMs(), .99);
        for (var level : levels) {
            out.println(row(level, firstP99));
        }
        out.println();
        out.println("Where the time goes on tool turns, from the server's own per-turn marks (each step's duration in ms, "
                    + "p50 / p99; the fakes account for 300, 400 and 100 of them):");
        out.println("| calls | last speech frame -> STT end of turn | -> the answer's first LLM token (a round that calls "
                    + "the tool, the tool, a second round) | -> first segment | -> TTS first audio | -> first audio sent |");
        out.println("|---:|---|---|---|---|---|");
        for (var level : levels) {
            out.println("| " + level.calls() + " | " + ServerRecords.stageCells(level.server()) + " |");
        }
        out.println();
        for (var l : levels) {
            out.printf(Locale.ROOT, "- %d calls: %.1f call-minutes in %.0f s; server %.2f cores on average, the benchmark's own "
                       + "process %.2f; %d tool calls; %d LLM requests refused as invalid; %d server log lines at WARNING or "
                       + "above; the server's record: %d of %d calls read, %d left open%n",
                       l.calls(), l.callMinutes(), l.wallSeconds(), l.serverCpuSeconds() / l.wallSeconds(),
                       l.driverCpuSeconds() / l.wallSeconds(), l.toolCalls(), l.llmRefusals(), l.logWarnings(),
                       l.server().callsRead(), l.tally().callSids().size(), l.server().stillActive().size());
            for (var reason : l.tally().reasons()) {
                out.println("  - a caller saw: " + reason);
            }
            for (var error : ServerRecords.errorLines(l.server())) {
                out.println("  - the server noted: " + error);
            }
            if (!l.server().stillActive().isEmpty()) {
                out.println("  - left open on the server (see its log): " + String.join(", ", l.server().stillActive()));
            }
        }
    }

    private static String row(LevelRun.Result l, long firstP99) {
        var reply = l.tally().replyMs();
        var bargeIn = l.tally().bargeInMs();
        long p50 = Tally.percentile(reply, .5);
        long p99 = Tally.percentile(reply, .99);
        return String.format(Locale.ROOT, "| %d | %d | %d | %d of %d | %d of %d | %d / %d / %d | %s | %d / %d | %d / %d | %.3f "
                + "| %d / %d | %d |",
                l.calls(), l.tally().turns(), l.tally().failedTurns(), l.server().wrongReplies(), l.server().toolTurns(),
                l.toolResultsMissing(), l.toolCalls(),
                p50, Tally.percentile(reply, .95), p99, ratio(p99, firstP99),
                p50 - BenchFakes.TOOL_TURN_FIXED_MS, p99 - BenchFakes.TOOL_TURN_FIXED_MS,
                Tally.percentile(bargeIn, .5), Tally.percentile(bargeIn, .95), l.cpuPerCallMinute(),
                l.peakRss() >> 20, l.endRss() >> 20, l.logLines());
    }

    private static String ratio(long value, long base) {
        return value <= 0 || base <= 0 ? "-" : String.format(Locale.ROOT, "x%.2f", (double) value / base);
    }
}
