package dev.dialtone.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches the server while a level or the soak runs: its resident memory twice a second (the
 * level's peak, which VmHWM cannot give once an earlier level set the process's high-water mark)
 * and, every {@code printEvery}, a progress line with what the callers report and the server's CPU
 * over that interval, so that a person never watches a silent terminal.
 */
final class Sampler implements AutoCloseable {
    private static final long SAMPLE_MILLIS = 500;

    private final ServerProcess server;
    private final Supplier<String> progress;
    private final long printEveryNanos;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile long peakRss;
    private volatile boolean running = true;

    Sampler(ServerProcess server, Duration printEvery, Supplier<String> progress, PrintStream out) {
        this.server = server;
        this.progress = progress;
        this.printEveryNanos = printEvery.toNanos();
        this.out = out;
        this.peakRss = server.memory().rssBytes();
        this.thread = Thread.ofPlatform().daemon().name("bench-sampler").start(this::run);
    }

    /** The highest resident memory seen since this sampler started, in bytes. */
    long peakRss() {
        return Math.max(peakRss, server.alive() ? server.memory().rssBytes() : 0);
    }

    private void run() {
        long nextPrint = startNanos + printEveryNanos;
        double cpuBefore = server.cpuSeconds();
        long printedAt = startNanos;
        try {
            while (running && server.alive()) {
                TimeUnit.MILLISECONDS.sleep(SAMPLE_MILLIS);
                long rss = server.memory().rssBytes();
                peakRss = Math.max(peakRss, rss);
                long now = System.nanoTime();
                if (now >= nextPrint && running) {
                    double cpu = server.cpuSeconds();
                    out.printf(Locale.ROOT, "  %4d s  %s; server %.2f cores, RSS %d MB%n", (now - startNanos) / 1_000_000_000L,
                               progress.get(), (cpu - cpuBefore) / ((now - printedAt) / 1e9), rss >> 20);
                    cpuBefore = cpu;
                    printedAt = now;
                    nextPrint += printEveryNanos;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the server went away between the check and the read: the benchmark reports that itself
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
