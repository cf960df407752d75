package dev.dialtone.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;

/**
 * The in-process call benchmark ({@code bin/dialtone bench --in-process [levels...]}), for profiling:
 * server, fakes and callers in one JVM with logging off, so it does not measure the server as it
 * ships ({@link ServerBench} does). N concurrent simulated calls
 * through the fakes, with fixed provider latencies (STT end of turn 300 ms after speech ends,
 * LLM first token 200 ms, TTS first byte 100 ms), five turns and one barge-in per call; like real
 * callers, each pauses a random 0.3-1.5 s before speaking, so calls do not speak in lockstep. Prints,
 * per concurrency level: the caller-perceived response latency (last speech frame sent -> first
 * reply audio heard) p50/p95/p99, the server's own overhead (that latency minus the fakes' fixed
 * 600 ms), barge-in latency (first frame of interrupting speech -> clear received), failed calls,
 * CPU seconds per call (server, fakes and callers: they share this one process), and live heap per
 * call (as many calls held open after their greeting, measured after a full collection).
 */
public final class CallBench {
    static final Duration STT_ENDPOINTING = Duration.ofMillis(300);
    static final Duration LLM_FIRST_TOKEN = Duration.ofMillis(200);
    static final Duration TTS_FIRST_BYTE = Duration.ofMillis(100);
    static final long FIXED_MS = STT_ENDPOINTING.toMillis() + LLM_FIRST_TOKEN.toMillis() + TTS_FIRST_BYTE.toMillis();
    static final int TURNS = 5;
    /** Why calls failed, with counts (printed after the tables). */
    static final Map<String, Integer> FAILURES = new java.util.concurrent.ConcurrentHashMap<>();

    static final String FLOW = """
            name: bench
            numbers: ["+15550001111"]
            greeting: "Hi."
            prompt: "You are a benchmark."
            stt: { provider: deepgram, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram }
            turn: { silence_reprompt_s: 60, min_interrupt_words: 2 }
            """;

    private record Level(int calls, List<Long> responseMs, List<Long> bargeInMs, int failed, double cpuSeconds,
                         long heapBytes, String stages) {
    }

    /**
     * {@code [--rest-tts] [levels...]}: {@code --rest-tts} speaks through Deepgram's REST endpoint
     * (one HTTP request per segment) instead of its socket. {@code cancel [N]} runs {@link CancelBench}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("cancel")) {
            CancelBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        var tts = Arrays.asList(args).contains("--rest-tts") ? FakeWorld.Tts.REST : FakeWorld.Tts.SOCKET;
        var numbers = Arrays.stream(args).filter(a -> !a.startsWith("--")).map(Integer::parseInt).toList();
        var levels = numbers.isEmpty() ? List.of(1, 50, 100, 200, 400) : numbers;
        System.out.printf(Locale.ROOT, "Dialtone call benchmark: %d turns + 1 barge-in per call; fixed fake delays "
                + "STT %d ms + LLM %d ms + TTS %d ms = %d ms; %d cores; TTS over %s%n", TURNS,
                STT_ENDPOINTING.toMillis(), LLM_FIRST_TOKEN.toMillis(), TTS_FIRST_BYTE.toMillis(), FIXED_MS,
                Runtime.getRuntime().availableProcessors(), tts == FakeWorld.Tts.REST ? "REST" : "the socket");
        // the live-heap level holds calls open with a silent caller for up to a minute: Twilio would stream
        // silence meanwhile, these callers send nothing, so the idle time-out is set out of their way
        try (var world = FakeWorld.start(FLOW, Map.of(), Map.of("DIALTONE_DB", "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1",
                                                                "DIALTONE_STREAM_IDLE_MS", "120000"), tts)) {
            world.tts.firstByteDelay(TTS_FIRST_BYTE).msPerChar(40);
            world.llm.timeToFirstToken(LLM_FIRST_TOKEN);
            world.stt.interimEvery(Duration.ofMillis(100)).script(u -> "I would like a large pizza please");
            warmUp(world);
            System.out.println();
            System.out.println("| calls | failed | response p50 / p95 / p99 ms | overhead p50 / p99 ms | barge-in p50 / p95 ms | CPU s per call | live heap MB per call |");
            System.out.println("|---:|---:|---|---|---|---:|---:|");
            var stages = new ArrayList<String>();
            for (int calls : levels) {
                var level = run(world, calls);
                print(level);
                stages.add(level.stages());
            }
            System.out.println();
            System.out.println("Where the time goes (server's own per-turn marks; each step's duration in ms, p50 / p99):");
            System.out.println("| calls | last speech frame -> STT end of turn | -> LLM first token | -> first segment | -> TTS first audio | -> first audio sent |");
            System.out.println("|---:|---|---|---|---|---|");
            stages.forEach(System.out::println);
            if (!FAILURES.isEmpty()) {
                System.out.println();
                System.out.println("Failed calls, by reason: " + FAILURES);
            }
        }
        System.exit(0);
    }

    /**
     * JIT warm-up: one call alone, then levels of 100 at once until the JIT compiler works less than
     * 5 % of a level's time (at most four levels); their figures are not reported. After a single
     * level the compiler still worked 13 % of the next level's time, and that first measured level's
     * p99 was the worst of its run in eight runs out of ten (median 32 ms against 20 for the rest).
     */
    private static void warmUp(FakeWorld world) throws Exception {
        oneCall(world, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        var jit = ManagementFactory.getCompilationMXBean();
        for (int level = 1; level <= 4; level++) {
            long compiledBefore = jit.getTotalCompilationTime();
            long started = System.nanoTime();
            run(world, 100);
            double share = (jit.getTotalCompilationTime() - compiledBefore) / ((System.nanoTime() - started) / 1e6);
            System.out.printf(Locale.ROOT, "Warm-up level %d (100 calls): the JIT compiler worked %.0f %% of the time%n",
                              level, share * 100);
            if (share < 0.05) {
                break;
            }
        }
        FAILURES.clear();
    }

    private static Level run(FakeWorld world, int calls) throws Exception {
        var response = new ConcurrentLinkedQueue<Long>();
        var bargeIn = new ConcurrentLinkedQueue<Long>();
        var sids = new ConcurrentLinkedQueue<String>();
        var failed = new AtomicInteger();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < calls; i++) {
                long stagger = i * 2000L / Math.max(1, calls); // spread call starts over two seconds
                pool.submit(() -> {
                    try {
                        Thread.sleep(stagger);
                        var r = new ArrayList<Long>();
                        var b = new ArrayList<Long>();
                        oneCall(world, r, b, sids);
                        response.addAll(r);
                        bargeIn.addAll(b);
                    } catch (Exception | AssertionError e) {
                        failed.incrementAndGet();
                        FAILURES.merge(String.valueOf(e.getMessage()).replaceAll("CA[0-9a-f]+", "CA..."), 1, Integer::sum);
                    }
                    return null;
                });
            }
        }
        double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        // before the held calls below push these out of the switchboard's recent transcripts
        var transcripts = sids.stream().map(sid -> world.parts.switchboard().transcript(sid))
                              .flatMap(java.util.Optional::stream).toList();
        var stages = stages(calls, transcripts);
        return new Level(calls, sorted(response), sorted(bargeIn), failed.get(), cpu / calls,
                         heldHeapPerCall(world, calls), stages);
    }

    /** One call: greeting, {@link #TURNS} turns, then a barge-in on one more reply. */
    private static void oneCall(FakeWorld world, List<Long> response, List<Long> bargeIn,
                                java.util.Collection<String> sids) throws Exception {
        var random = java.util.concurrent.ThreadLocalRandom.current();
        world.llm.enqueue(Reply.text("Sure, ", "one large pizza coming up. ", "Anything else?"));
        try (FakeCall call = world.dial()) {
            sids.add(call.callSid());
            need(call.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(20)), "greeting");
            for (int turn = 0; turn < TURNS; turn++) {
                if (turn > 0) {
                    world.llm.enqueue(Reply.text("Sure, ", "one large pizza coming up. ", "Anything else?"));
                }
                call.sendAudio(FakeAudio.silence(300 + random.nextInt(1200))); // the caller thinks
                call.sendAudio(FakeAudio.tone(440, 600));
                long spoke = call.lastAudioSentNanos();
                call.sendAudio(FakeAudio.silence(700));
                need(call.awaitHeardAfter(spoke, Duration.ofSeconds(20)), "reply " + turn);
                response.add((call.firstHeardAfter(spoke).orElseThrow().atNanos() - spoke) / 1_000_000);
                need(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(20)), "end of reply " + turn);
            }
            world.llm.enqueue(Reply.text("Let me tell you about every pizza we have, ", "one by one, ",
                                         "starting with the margherita and ending with the calzone."));
            call.sendAudio(FakeAudio.silence(300 + random.nextInt(1200)));
            call.sendAudio(FakeAudio.tone(440, 600));
            long spoke = call.lastAudioSentNanos();
            call.sendAudio(FakeAudio.silence(700));
            need(call.awaitHeardAfter(spoke, Duration.ofSeconds(20)), "long reply");
            Thread.sleep(300);
            // the interruption becomes a turn of its own: its reply keeps the shared script balanced
            world.llm.enqueue(Reply.text("Sure, ", "tell me more."));
            long interrupting = System.nanoTime();
            call.sendAudio(FakeAudio.tone(440, 800));
            var clear = java.util.Optional.<FakeCall.Received>empty();
            for (long deadline = System.nanoTime() + 3_000_000_000L; clear.isEmpty() && System.nanoTime() < deadline; ) {
                clear = call.received("clear").stream().filter(c -> c.atNanos() > interrupting).findFirst();
                if (clear.isEmpty()) {
                    Thread.sleep(10);
                }
            }
            need(clear.isPresent(), "clear after barge-in");
            bargeIn.add((clear.get().atNanos() - interrupting) / 1_000_000);
            call.stop();
        }
    }

    /** Per-stage durations of the measured turns: p50 / p99 of each step, from the server's own marks. */
    private static String stages(int calls, List<dev.dialtone.conversation.CallTranscript> transcripts) {
        var stt = new ArrayList<Long>();
        var llm = new ArrayList<Long>();
        var segment = new ArrayList<Long>();
        var tts = new ArrayList<Long>();
        var send = new ArrayList<Long>();
        for (var t : transcripts) {
            for (var turn : t.turns()) {
                if (turn.interrupted() || turn.firstAudioMs().isEmpty() || turn.sttFinalMs().isEmpty()
                        || turn.llmFirstTokenMs().isEmpty() || turn.firstSegmentMs().isEmpty()
                        || turn.ttsFirstAudioMs().isEmpty()) {
                    continue;
                }
                stt.add(turn.sttFinalMs().get());
                llm.add(turn.llmFirstTokenMs().get() - turn.sttFinalMs().get());
                segment.add(turn.firstSegmentMs().get() - turn.llmFirstTokenMs().get());
                tts.add(turn.ttsFirstAudioMs().get() - turn.firstSegmentMs().get());
                send.add(turn.firstAudioMs().get() - turn.ttsFirstAudioMs().get());
            }
        }
        return String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |", calls, range(stt), range(llm),
                range(segment), range(tts), range(send));
    }

    private static String range(List<Long> values) {
        var sorted = sorted(values);
        return pct(sorted, .5) + " / " + pct(sorted, .99);
    }

    private static void need(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }

    private static List<Long> sorted(java.util.Collection<Long> values) {
        var list = new ArrayList<>(values);
        Collections.sort(list);
        return list;
    }

    private static long pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.round(p * (sorted.size() - 1))));
    }

    /**
     * Live heap per call: the level's number of calls held open (greeting heard, caller silent),
     * a full collection, and the growth over the heap before them. Done apart from the latency
     * run, so the collection does not land inside measured turns. Fakes and callers are included.
     */
    private static long heldHeapPerCall(FakeWorld world, int calls) throws Exception {
        long before = HeapAfterGc.collect();
        var greeted = new java.util.concurrent.CountDownLatch(calls);
        var release = new java.util.concurrent.CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < calls; i++) {
                long stagger = i * 2000L / Math.max(1, calls);
                pool.submit(() -> {
                    Thread.sleep(stagger);
                    try (FakeCall call = world.dial()) {
                        call.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(20));
                        greeted.countDown();
                        release.await();
                        call.stop();
                    } finally {
                        greeted.countDown(); // a failed call must not hold the others
                    }
                    return null;
                });
            }
            greeted.await(60, java.util.concurrent.TimeUnit.SECONDS);
            long held = HeapAfterGc.collect();
            release.countDown();
            return Math.max(0, held - before) / calls;
        } finally {
            release.countDown();
        }
    }

    private static void print(Level l) {
        System.out.printf(Locale.ROOT, "| %d | %d | %d / %d / %d | %d / %d | %d / %d | %.3f | %.1f |%n",
                l.calls(), l.failed(), pct(l.responseMs(), .5), pct(l.responseMs(), .95), pct(l.responseMs(), .99),
                pct(l.responseMs(), .5) - FIXED_MS, pct(l.responseMs(), .99) - FIXED_MS,
                pct(l.bargeInMs(), .5), pct(l.bargeInMs(), .95), l.cpuSeconds(), l.heapBytes() / 1e6);
    }
}
