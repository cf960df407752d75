package dev.dialtone.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;


import ai.onnxruntime.OrtException;

import dev.dialtone.audio.Fixtures;
import dev.dialtone.audio.Frames;
import dev.dialtone.audio.MuLaw;
import dev.dialtone.audio.SileroVad;
import dev.dialtone.audio.VadStream;
import dev.dialtone.audio.VoiceActivity;

/**
 * What Silero VAD costs per call-minute, first on one thread (CPU time of that thread, 50 calls).
 * Each call-minute is 3000 frames of caller audio, the agent audible half of it (6 s on, 6 s
 * off), as the call's gate sees it:
 * <ul>
 * <li>ungated: every 32 ms window to the model, all minute (what a VAD on every frame costs), and
 * only while the agent speaks, with and without batching the windows of all calls;</li>
 * <li>quiet line: while the agent speaks the caller is silent but for line hiss at -60 dBFS, one
 * "uh-huh" and one sentence a minute;</li>
 * <li>noisy line: white noise at -30 dBFS all minute (the gate learns the line's floor);</li>
 * </ul>
 * and then as the server runs it: each call on a thread of its own, its frames paced every 20 ms,
 * windows batched by {@link SileroVad#probability}'s group commit, on the noisy line for
 * {@link #PACED_SECONDS} s, the CPU time spent in the VAD summed over the threads and scaled to a
 * minute ({@code VadBench 200 paced} runs only this).
 * Run it with
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" dev.dialtone.bench.VadBench [calls]
 * </pre>
 */
public final class VadBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int FRAMES_PER_MINUTE = 3000;
    private static final int STRETCH = 300; // frames of 6 s: the agent speaks, then listens

    private VadBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        var vad = SileroVad.load().orElseThrow(() -> new IllegalStateException("Silero VAD did not load"));
        var quiet = quietMinute();
        var noisy = noisyMinute();
        int alone = Math.min(calls, 50); // per call-minute, the figures on one thread do not depend on the number
        boolean pacedOnly = args.length > 1 && args[1].equals("paced");
        System.out.printf(Locale.ROOT, "%d calls, one minute of caller audio each, on one thread%n", alone);
        System.out.println("| profile | windows run per call-minute | CPU s per call-minute | windows per CPU s |");
        System.out.println("|---|---:|---:|---:|");
        for (int round = 0; round < (pacedOnly ? 0 : 2); round++) { // the first round warms up
            boolean print = round == 1;
            report(print, "ungated: every window of the minute, one inference each", vad, () -> raw(vad, alone, noisy, false, false));
            report(print, "noisy line (-30 dBFS), only while the agent speaks, no energy gate", vad, () -> raw(vad, alone, noisy, true, false));
            report(print, "quiet line, gated", vad, () -> gated(vad, alone, quiet, true));
            report(print, "noisy line (-30 dBFS), gated", vad, () -> gated(vad, alone, noisy, true));
            report(print, "noisy line (-30 dBFS), only while the agent speaks, no energy gate, batched", vad,
                   () -> raw(vad, alone, noisy, true, true));
        }
        paced(vad, calls, noisy); // warm-up
        long windows = vad.windowsRun();
        long inferences = vad.inferencesRun();
        double cpu = paced(vad, calls, noisy);
        System.out.printf(Locale.ROOT, "| noisy line (-30 dBFS), gated, %d paced calls, group commit | %d | %.4f | %.0f |%n",
                          calls, (vad.windowsRun() - windows) * 60 / PACED_SECONDS / calls, cpu / calls * 60.0 / PACED_SECONDS,
                          (vad.windowsRun() - windows) / cpu);
        System.out.printf(Locale.ROOT, "mean batch %.1f rows%n",
                          (vad.windowsRun() - windows) / (double) Math.max(1, vad.inferencesRun() - inferences));
    }

    private static final int PACED_SECONDS = 24;

    /**
     * CPU seconds spent in the VAD by {@code calls} callers, each a thread of its own paced in real
     * time (platform threads, whose CPU time the JVM can read; a batch's inference counts on the
     * thread that ran it).
     */
    private static double paced(SileroVad vad, int calls, List<byte[]> minute) throws InterruptedException {
        long start = System.nanoTime();
        var threads = new ArrayList<Thread>();
        var spent = new long[calls];
        for (int c = 0; c < calls; c++) {
            int call = c;
            threads.add(Thread.ofPlatform().start(() -> {
                var stream = new VadStream(vad);
                for (int f = 0; f < PACED_SECONDS * 50; f++) {
                    long due = start + f * 20_000_000L + call * 100_000L;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if ((f / STRETCH) % 2 == 0) { // the agent speaks
                        long before = THREADS.getCurrentThreadCpuTime();
                        stream.hear(minute.get((f + call * 37) % FRAMES_PER_MINUTE));
                        spent[call] += THREADS.getCurrentThreadCpuTime() - before;
                    }
                }
            }));
        }
        for (var t : threads) {
            t.join();
        }
        return Arrays.stream(spent).sum() / 1e9;
    }

    private interface Run {
        long windows() throws OrtException;
    }

    private static void report(boolean print, String name, SileroVad vad, Run run) throws OrtException {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long windows = run.windows();
        double seconds = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9;
        int calls = (int) CALLS[0];
        if (print) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.4f | %.0f |%n", name, windows / calls, seconds / calls,
                              windows / seconds);
        }
    }

    private static final long[] CALLS = new long[1];

    /** Each call's minute through its own stream; {@code gate}: only while the agent speaks. */
    private static long gated(SileroVad vad, int calls, List<byte[]> minute, boolean gate) {
        CALLS[0] = calls;
        long before = vad.windowsRun();
        var streams = new ArrayList<VadStream>();
        for (int c = 0; c < calls; c++) {
            streams.add(new VadStream(vad));
        }
        for (int f = 0; f < FRAMES_PER_MINUTE; f++) {
            boolean agentSpeaks = (f / STRETCH) % 2 == 0;
            for (int c = 0; c < calls; c++) {
                var frame = minute.get((f + c * 37) % FRAMES_PER_MINUTE); // calls out of step with each other
                if (!gate || agentSpeaks) {
                    streams.get(c).hear(frame);
                }
            }
        }
        return vad.windowsRun() - before;
    }

    /**
     * The minute straight to the model, no energy gate: {@code agentOnly}, only while the agent
     * speaks; {@code batch}, every ready window of all calls in one inference, else one each.
     */
    private static long raw(SileroVad vad, int calls, List<byte[]> minute, boolean agentOnly, boolean batch)
            throws OrtException {
        CALLS[0] = calls;
        int width = SileroVad.CONTEXT + SileroVad.WINDOW;
        var samples = new float[calls][width];
        var filled = new int[calls];
        var state = new float[calls * SileroVad.STATE];
        var input = new float[calls * width];
        long windows = 0;
        for (int f = 0; f < FRAMES_PER_MINUTE; f++) {
            if (agentOnly && (f / STRETCH) % 2 != 0) {
                continue;
            }
            int rows = 0;
            for (int c = 0; c < calls; c++) {
                var frame = minute.get((f + c * 37) % FRAMES_PER_MINUTE);
                for (byte b : frame) {
                    samples[c][SileroVad.CONTEXT + filled[c]++] = MuLaw.decode(b) / 32768f;
                    if (filled[c] == SileroVad.WINDOW) {
                        System.arraycopy(samples[c], 0, input, rows * width, width);
                        System.arraycopy(samples[c], SileroVad.WINDOW, samples[c], 0, SileroVad.CONTEXT);
                        filled[c] = 0;
                        rows++;
                    }
                }
            }
            if (rows > 0 && batch) { // rows share one state array here: the cost is the same as with each call's own
                vad.probabilities(Arrays.copyOf(input, rows * width), Arrays.copyOf(state, rows * SileroVad.STATE), rows);
            } else {
                for (int r = 0; r < rows; r++) {
                    vad.probabilities(Arrays.copyOfRange(input, r * width, (r + 1) * width),
                                      Arrays.copyOf(state, SileroVad.STATE), 1);
                }
            }
            windows += rows;
        }
        return windows;
    }

    private static List<byte[]> quietMinute() {
        var hiss = quieter(Fixtures.mulaw("noise"), 30); // -60 dBFS
        var minute = new byte[FRAMES_PER_MINUTE * Frames.FRAME_BYTES];
        for (int i = 0; i < minute.length; i++) {
            minute[i] = hiss[i % hiss.length];
        }
        var uhHuh = Fixtures.mulaw("backchannel");
        var words = Fixtures.mulaw("words");
        System.arraycopy(uhHuh, 0, minute, 8000 * 3, uhHuh.length);   // while the agent speaks
        System.arraycopy(words, 0, minute, 8000 * 25, words.length);  // an interruption
        return Fixtures.frames(minute);
    }

    private static List<byte[]> noisyMinute() {
        var noise = Fixtures.mulaw("noise");
        var minute = new byte[FRAMES_PER_MINUTE * Frames.FRAME_BYTES];
        for (int i = 0; i < minute.length; i++) {
            minute[i] = noise[i % noise.length];
        }
        return Fixtures.frames(minute);
    }

    private static byte[] quieter(byte[] mulaw, int db) {
        double gain = Math.pow(10, -db / 20.0);
        var out = new byte[mulaw.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = MuLaw.encode((int) Math.round(MuLaw.decode(mulaw[i]) * gain));
        }
        return out;
    }
}
