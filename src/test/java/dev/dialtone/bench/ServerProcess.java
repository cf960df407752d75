package dev.dialtone.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Dialtone server under test, in a process of its own, started with exactly the command
 * {@code bin/dialtone serve} runs (the launcher prints it: {@code DIALTONE_PRINT_COMMAND=1}), from
 * the repository's folder so that config.yaml and the jar's logging.properties apply as shipped.
 * Its output goes to a log file. The process is ended by {@link #close()} and, should the benchmark
 * die first (Ctrl-C, an exception), by a shutdown hook; only SIGKILL of the benchmark escapes both.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Start-up as seen from outside: process start to a listening socket, and to readiness (/observe/health/ready) answering 200. */
    record StartUp(long listeningMillis, long readyMillis) {
    }

    /** The server did not start, or died; the message says why, with the end of its log. */
    static final class ServerFailure extends Exception {
        ServerFailure(String message) {
            super(message);
        }
    }

    private final Process process;
    private final Path log;
    private final int port;
    private final Thread killer;
    private long logOffset; // owned by the benchmark's main thread, like the counts below
    private long logLines;
    private long logWarnings;

    private ServerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.killer = new Thread(() -> {
            if (process.isAlive()) {
                System.err.println("dialtone bench: interrupted; stopping the server (pid " + process.pid() + ")");
                stop();
            }
        }, "dialtone-bench-server-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * The java command {@code bin/dialtone serve} runs with this environment (DIALTONE_JAVA_OPTS
     * included), asked of the launcher itself so that the two cannot differ.
     */
    static List<String> launcherCommand(Path root, Map<String, String> environment) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(root.resolve("bin/dialtone").toString(), "serve").directory(root.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("DIALTONE_PRINT_COMMAND", "1");
        builder.redirectErrorStream(true);
        var launcher = builder.start();
        var out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (launcher.waitFor() != 0 || !out.contains("-jar")) {
            throw new IOException("bin/dialtone did not print its command (exit " + launcher.exitValue() + "):\n" + out);
        }
        return out.lines().toList();
    }

    /** A port nobody listens on now (the server binds it a moment later; a clash is reported by {@link #start}). */
    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Fails at once, with what to do, when something already listens on {@code port}. */
    static void requireFree(int port) throws ServerFailure {
        try (var socket = new ServerSocket(port)) {
            socket.getLocalPort();
        } catch (IOException e) {
            throw new ServerFailure("the server cannot have port " + port + ": it is already in use (" + e.getMessage() + "); "
                    + "stop what listens there (ss -ltnp 'sport = :" + port + "' names it) or pick another with --port");
        }
    }

    /** Starts the server and returns once it answers; the environment is added to this process's own. */
    static ServerProcess start(Path root, List<String> command, Map<String, String> environment, int port, Path log)
            throws IOException, ServerFailure {
        var builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().remove("DIALTONE_CONFIG"); // the repository's config.yaml, as shipped
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new ServerProcess(builder.start(), log, port);
    }

    /**
     * Waits until the server listens and /observe/health/ready answers 200 (the store open), saying every 5 s what it
     * waits for; a failure stops the process.
     */
    StartUp awaitReady(long startedNanos, PrintStream out) throws ServerFailure, InterruptedException {
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        var health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                                .timeout(Duration.ofSeconds(2)).build();
        long deadline = startedNanos + START_TIMEOUT.toNanos();
        long listening = 0;
        long nextNote = startedNanos + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextNote) {
                out.printf(Locale.ROOT, "  %d s: %s%n", (System.nanoTime() - startedNanos) / 1_000_000_000L,
                           listening == 0 ? "not listening yet" : "listening; /observe/health/ready not answering 200 yet");
                nextNote += 5_000_000_000L;
            }
            if (!process.isAlive()) {
                throw failure("the server exited with status " + process.exitValue() + " during start-up");
            }
            if (listening == 0 && ProcFiles.listening(process.pid(), port)) {
                listening = System.nanoTime();
            }
            if (listening != 0 && healthy(http, health)) {
                return new StartUp((listening - startedNanos) / 1_000_000, (System.nanoTime() - startedNanos) / 1_000_000);
            }
            Thread.sleep(10); // often enough for the figure, seldom enough not to slow the start it measures
        }
        throw failure(listening == 0
                ? "the server did not listen on port " + port + " within " + START_TIMEOUT.toSeconds()
                  + " s (is the port taken by another process?)"
                : "/observe/health/ready did not answer 200 within " + START_TIMEOUT.toSeconds() + " s");
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to exit by itself; its exit status, or -1 if it still runs. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    Path log() {
        return log;
    }

    /** Throws, with the exit status and the end of the log, when the server is no longer running. */
    void requireAlive(String during) throws ServerFailure {
        if (!process.isAlive()) {
            int status = process.exitValue();
            var signal = status > 128 ? ", killed by signal " + (status - 128) : "";
            throw new ServerFailure("the server died during " + during + " (exit status " + status + signal + "). "
                                    + errors() + "The end of its log (" + log + "):\n" + logTail(30));
        }
    }

    /** The server's CPU time so far (user + system, every thread), in seconds. */
    double cpuSeconds() {
        return ProcFiles.cpuNanos(process.pid()) / 1e9;
    }

    ProcFiles.Memory memory() {
        return ProcFiles.memory(process.pid());
    }

    /** Lines the server has logged so far. */
    long logLines() {
        readLog();
        return logLines;
    }

    /** Lines logged at WARNING or SEVERE so far. */
    long logWarnings() {
        readLog();
        return logWarnings;
    }

    /** The last lines of the server's log, for a failure message. */
    String logTail(int lines) {
        try {
            var all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Stops the server: SIGTERM (its shutdown hook closes the store), then SIGKILL after a grace period. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or ran
        }
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean healthy(HttpClient http, HttpRequest health) throws InterruptedException {
        try {
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not answering yet
        }
    }

    private ServerFailure failure(String what) {
        stop();
        return new ServerFailure(what + ". " + errors() + "The end of its log (" + log + "):\n" + logTail(30));
    }

    /** The log's SEVERE lines (the first few), which say why a start failed above any stack trace. */
    private String errors() {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            var severe = lines.filter(line -> line.contains(" SEVERE ")).limit(5).toList();
            return severe.isEmpty() ? "" : "Its errors:\n" + String.join("\n", severe) + "\n";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** Counts the lines (and warnings) the server wrote since the last look. */
    private void readLog() {
        try (var file = new RandomAccessFile(log.toFile(), "r")) {
            if (file.length() <= logOffset) {
                return;
            }
            file.seek(logOffset);
            var bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, file.length() - logOffset)];
            file.readFully(bytes);
            int end = lastNewline(bytes);
            if (end < 0) {
                return; // half a line so far: counted once it ends
            }
            logOffset += end + 1;
            for (var line : new String(bytes, 0, end + 1, StandardCharsets.UTF_8).split("\n")) {
                logLines++;
                if (line.contains(" WARNING ") || line.contains(" SEVERE ")) {
                    logWarnings++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server's log " + log, e);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
