package dev.dialtone.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.dialtone.fakes.FakeTwilio;

/**
 * The soak level: {@code calls} calls at all times for {@code duration}, each about a minute long
 * (tool turns until then, a barge-in, hang-up) and replaced by a new one as it ends; the first
 * calls get random lengths so that ends spread out. Reported minute by minute; it passes when the
 * server's RSS at the end is within 10 % of its RSS after the first minute, its CPU per
 * call-minute has not grown by more than 20 % (more room than for memory: the machine is shared,
 * and CPU is noisy), and nothing failed.
 */
final class Soak {
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final double RSS_GROWTH_LIMIT = 0.10;
    private static final double CPU_GROWTH_LIMIT = 0.20;

    /** One window's figures (a minute, or what is left). */
    record Window(int index, boolean draining, Tally tally, double callMinutes, double cpuSeconds, long peakRss, long endRss,
                  long logLines) {
        double cpuPerCallMinute() {
            return callMinutes == 0 ? 0 : cpuSeconds / callMinutes;
        }
    }

    private final ServerProcess server;
    private final BenchFakes fakes;
    private final FakeTwilio twilio;
    private final ServerRecords records;
    private final PrintStream out;

    Soak(ServerProcess server, BenchFakes fakes, int port, PrintStream out) {
        this.server = server;
        this.fakes = fakes;
        this.twilio = fakes.twilio(port);
        this.records = fakes.records(port);
        this.out = out;
    }

    /** Runs the soak and prints its table and verdict; returns whether it passed. */
    boolean run(int calls, Duration duration) throws InterruptedException, ServerProcess.ServerFailure {
        out.printf(Locale.ROOT, "Soak: %d calls at all times for %s, calls of about a minute, replaced as they end%n",
                   calls, text(duration));
        fakes.takeToolResultsMissing();
        int refusalsBefore = fakes.llmRefusals();
        var current = new AtomicReference<>(new Tally());
        var live = new Tally.LiveCalls();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        var done = new CountDownLatch(calls);
        for (int slot = 0; slot < calls; slot++) {
            long stagger = slot * 2000L / calls;
            Thread.ofVirtual().name("soak-slot-" + slot).start(() -> {
                try {
                    Thread.sleep(stagger);
                    boolean first = true;
                    var random = ThreadLocalRandom.current();
                    while (System.nanoTime() < end && server.alive()) {
                        long length = first ? random.nextLong(10_000, 70_000) : random.nextLong(55_000, 65_000);
                        long callEnd = Math.min(end, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(length));
                        if (!new BenchCall(twilio, 1, callEnd, current::get, live).run()) {
                            Thread.sleep(1000); // a server that refuses calls is not hammered
                        }
                        first = false;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        var windows = new ArrayList<Window>();
        out.println("| minute | calls ended | turns | failed turns | reply p50 / p99 ms | barge-in p50 ms "
                    + "| server CPU s per call-minute | server RSS peak / end MB | server log lines |");
        out.println("|---:|---:|---:|---:|---|---:|---:|---|---:|");
        boolean finished = false;
        for (int index = 1; !finished; index++) {
            long windowStart = System.nanoTime();
            boolean draining = windowStart >= end;
            long windowEnd = draining ? Long.MAX_VALUE : Math.min(end, windowStart + WINDOW.toNanos());
            double cpuBefore = server.cpuSeconds();
            double minutesBefore = live.callMinutes();
            long logBefore = server.logLines();
            try (var sampler = new Sampler(server, Duration.ofSeconds(10), () -> progress(start, duration, live, current.get()), out)) {
                // in steps of a second, so that a server that died is reported at once
                while (!finished && server.alive() && System.nanoTime() < windowEnd) {
                    long wait = Math.min(1_000_000_000L, windowEnd - System.nanoTime());
                    finished = done.await(Math.max(0, wait), TimeUnit.NANOSECONDS);
                }
                server.requireAlive("minute " + index + " of the soak");
                var window = new Window(index, draining, current.getAndSet(new Tally()), live.callMinutes() - minutesBefore,
                                        server.cpuSeconds() - cpuBefore, sampler.peakRss(), server.memory().rssBytes(),
                                        server.logLines() - logBefore);
                windows.add(window);
                out.println(row(window));
            }
        }
        var sids = windows.stream().flatMap(w -> w.tally().callSids().stream()).toList();
        return verdict(windows, fakes.takeToolResultsMissing(), fakes.llmRefusals() - refusalsBefore, records.read(sids));
    }

    private boolean verdict(List<Window> windows, long toolResultsMissing, int refusals, ServerRecords.Summary server) {
        var regular = windows.stream().filter(w -> !w.draining()).toList();
        long failed = windows.stream().mapToLong(w -> w.tally().failedTurns()).sum();
        boolean nothingFailed = failed == 0 && toolResultsMissing == 0 && refusals == 0 && !server.failed();
        out.println();
        out.printf(Locale.ROOT, "Failures: %d failed turns, %d of %d tool turns answered wrongly (the server's record), %d tool "
                   + "results not sent back, %d LLM requests refused, %d calls left open: %s%n", failed, server.wrongReplies(),
                   server.toolTurns(), toolResultsMissing, refusals, server.stillActive().size(), nothingFailed ? "none" : "FAIL");
        windows.forEach(w -> w.tally().reasons().forEach(r -> out.println("  - a caller saw in minute " + w.index() + ": " + r)));
        ServerRecords.errorLines(server).forEach(e -> out.println("  - the server noted: " + e));
        if (regular.size() < 2) {
            out.println("Too short to judge growth: RSS and CPU are compared between the first minute and the last.");
            return nothingFailed;
        }
        var first = regular.get(0);
        var last = regular.get(regular.size() - 1);
        double rssGrowth = (double) (last.endRss() - first.endRss()) / first.endRss();
        // the first minute ramps up; the second is the first one at full load when there is a third
        var cpuBase = regular.size() > 2 ? regular.get(1) : first;
        double cpuGrowth = cpuBase.cpuPerCallMinute() == 0 ? 0
                : (last.cpuPerCallMinute() - cpuBase.cpuPerCallMinute()) / cpuBase.cpuPerCallMinute();
        boolean rssFlat = rssGrowth <= RSS_GROWTH_LIMIT;
        boolean cpuFlat = cpuGrowth <= CPU_GROWTH_LIMIT;
        out.printf(Locale.ROOT, "RSS: %d MB after minute 1, %d MB after minute %d: %+.1f %% (limit +%.0f %%): %s%n",
                   first.endRss() >> 20, last.endRss() >> 20, last.index(), rssGrowth * 100, RSS_GROWTH_LIMIT * 100,
                   rssFlat ? "flat" : "GROWS");
        out.printf(Locale.ROOT, "CPU: %.3f s per call-minute in minute %d, %.3f in minute %d: %+.1f %% (limit +%.0f %%): %s%n",
                   cpuBase.cpuPerCallMinute(), cpuBase.index(), last.cpuPerCallMinute(), last.index(), cpuGrowth * 100,
                   CPU_GROWTH_LIMIT * 100, cpuFlat ? "flat" : "GROWS");
        return nothingFailed && rssFlat && cpuFlat;
    }

    private static String row(Window w) {
        var reply = w.tally().replyMs();
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d / %d | %d | %.3f | %d / %d | %d |",
                w.draining() ? "(last calls)" : Integer.toString(w.index()), w.tally().callsEnded(), w.tally().turns(),
                w.tally().failedTurns(), Tally.percentile(reply, .5), Tally.percentile(reply, .99),
                Tally.percentile(w.tally().bargeInMs(), .5), w.cpuPerCallMinute(), w.peakRss() >> 20, w.endRss() >> 20,
                w.logLines());
    }

    private static String progress(long start, Duration duration, Tally.LiveCalls live, Tally tally) {
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        return String.format(Locale.ROOT, "soak %d:%02d of %s: %d calls live; this minute %d calls ended, %d turns, %d failed",
                             seconds / 60, seconds % 60, text(duration), live.live(), tally.callsEnded(), tally.turns(),
                             tally.failedTurns());
    }

    /** A duration as the command line takes it: "10m", "90s". */
    static String text(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
