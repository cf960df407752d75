package dev.dialtone.flowtest;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.dialtone.flow.FlowFileNames;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Problem;
import dev.dialtone.flow.ReloadGate;
import dev.dialtone.llm.ChatModel;

/**
 * The reload gate of flows with {@code tests: gate}: a candidate version must pass its test file's
 * replayable cases (every LLM answer they need, rubric verdicts included, is in the cassette) before
 * it goes live. The other cases (not recorded yet, or a rubric never judged) need the flow's live
 * LLM: they run after the swap on a virtual thread of their own (one per flow: a newer version's
 * run interrupts an older one), and report without blocking.
 */
public final class TestGate implements ReloadGate {
    private static final System.Logger LOG = System.getLogger(TestGate.class.getName());

    private final Function<String, Optional<ChatModel>> liveLlm;
    private final Duration patience;

    /**
     * @param liveLlm  the live LLM client of a provider, when its key is set (for the cases that need one)
     * @param patience the longest real-time wait for one LLM answer or tool
     */
    public TestGate(Function<String, Optional<ChatModel>> liveLlm, Duration patience) {
        this.liveLlm = liveLlm;
        this.patience = patience;
    }

    /**
     * The cases of a test file by what the cassette holds for them: every answer (rubric verdicts
     * too); nothing at all (never recorded: replayed all the same, since a case may not ask the LLM,
     * e.g. a key press that transfers); or answers but not every rubric's verdict.
     */
    private record Split(FlowTestFile recorded, FlowTestFile unrecorded, FlowTestFile unjudged) {
    }

    /** The background run of each flow's live-LLM cases, if one is going: a newer version's run replaces it. */
    private final Map<String, Thread> running = new ConcurrentHashMap<>();

    /** What {@link #check} left for the live LLM, by version hash, until {@link #afterSwap} takes it. */
    private final Map<String, List<FlowTestFile.TestCase>> deferred = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<FlowTestFile.TestCase>> eldest) {
            return size() > 64; // candidates that passed but did not go live (another flow's gate failed)
        }
    });

    @Override
    public String fingerprint(FlowVersion candidate) {
        var tests = FlowFileNames.testsOf(candidate.flow().file());
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (var file : List.of(tests, Cassette.beside(tests))) {
                digest.update(Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0]);
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable " + System.nanoTime(); // never equal to what passed: the check runs and reports the file
        }
    }

    @Override
    public Verdict check(FlowVersion candidate) {
        long t0 = System.nanoTime();
        var testFile = FlowFileNames.testsOf(candidate.flow().file());
        var problems = new ArrayList<Problem>();
        var tests = FlowTests.read(testFile, Optional.of(candidate), problems);
        var errors = problems.stream().filter(Problem::isError).toList();
        if (tests.isEmpty() || !errors.isEmpty()) {
            return new Verdict(errors.isEmpty() ? List.of(Problem.error(testFile, 1, "the test file cannot be read")) : errors,
                               "the test file has errors", took(t0));
        }
        Split split;
        try {
            split = split(tests.get());
        } catch (Cassette.Unreadable e) {
            return new Verdict(List.of(Problem.error(Cassette.beside(testFile), 1, e.getMessage())), "the cassette cannot be read", took(t0));
        }
        FileResult recorded;
        FileResult unrecorded;
        try {
            recorded = FlowTests.replay(candidate, split.recorded(), patience);
            unrecorded = FlowTests.replay(candidate, split.unrecorded(), patience);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(List.of(Problem.error(testFile, 1, "the gate's tests were interrupted")), "interrupted", took(t0));
        }
        // a case never recorded that fails on replay asked the LLM (or fails anyway): the live LLM judges it
        var live = new ArrayList<>(split.unjudged().cases());
        var failedUnrecorded = unrecorded.cases().stream().filter(c -> !c.passed()).map(CaseResult::name).toList();
        split.unrecorded().cases().stream().filter(c -> failedUnrecorded.contains(c.name())).forEach(live::add);
        int replayed = recorded.cases().size() + unrecorded.cases().size() - failedUnrecorded.size();
        var failures = failures(recorded);
        var waiting = live.isEmpty() ? "" : "; " + count(live.size()) + " need" + (live.size() == 1 ? "s" : "")
                + " a live LLM (run after the swap)";
        var summary = replayed == 0 && failures.isEmpty() ? "no replayable case"
                : failures.isEmpty() ? count(replayed) + " replayed passed"
                : recorded.failed() + " of " + count(replayed) + " replayed failed";
        if (failures.isEmpty() && !live.isEmpty()) {
            deferred.put(candidate.hash(), List.copyOf(live));
        }
        return new Verdict(failures, summary + waiting, took(t0));
    }

    @Override
    public void afterSwap(FlowVersion live, Consumer<Verdict> report) {
        var cases = deferred.remove(live.hash());
        if (cases == null || cases.isEmpty()) {
            return;
        }
        var testFile = FlowFileNames.testsOf(live.flow().file());
        var needed = new FlowTestFile(testFile, FlowFileNames.stem(testFile), cases);
        var provider = live.flow().llm().provider();
        var run = Thread.ofVirtual().name("flow-tests-" + live.name()).unstarted(() -> {
            long t0 = System.nanoTime();
            var llm = liveLlm.apply(provider);
            if (llm.isEmpty()) {
                report.accept(new Verdict(List.of(), count(needed.cases().size()) + " not run: no API key for " + provider, took(t0)));
                return;
            }
            try {
                var result = FlowTests.live(live, needed, llm.get(), patience);
                var failures = failures(result);
                report.accept(new Verdict(failures, (failures.isEmpty() ? count(needed.cases().size()) + " passed"
                        : result.failed() + " of " + count(needed.cases().size()) + " failed"), took(t0)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "flow " + live.name() + ": its live LLM cases could not run", e);
            } finally {
                running.remove(live.name(), Thread.currentThread());
            }
        });
        var previous = running.put(live.name(), run);
        if (previous != null) {
            previous.interrupt(); // at most one run per flow: the older version is no longer live
        }
        run.start();
    }

    private static Split split(FlowTestFile tests) throws Cassette.Unreadable {
        var file = Cassette.beside(tests.file());
        var cassette = Files.exists(file) ? Cassette.read(file) : Cassette.empty();
        var recorded = new ArrayList<FlowTestFile.TestCase>();
        var unrecorded = new ArrayList<FlowTestFile.TestCase>();
        var unjudged = new ArrayList<FlowTestFile.TestCase>();
        for (var testCase : tests.cases()) {
            var recordings = cassette.recordings(testCase.name());
            var judged = recordings.stream().map(Cassette.Recording::after).toList();
            boolean rubricsRecorded = testCase.checks().stream().filter(c -> c instanceof Check.Rubric)
                    .allMatch(c -> judged.contains("rubric: " + ((Check.Rubric) c).text()));
            (recordings.isEmpty() ? unrecorded : rubricsRecorded ? recorded : unjudged).add(testCase);
        }
        return new Split(subset(tests, recorded), subset(tests, unrecorded), subset(tests, unjudged));
    }

    private static FlowTestFile subset(FlowTestFile tests, List<FlowTestFile.TestCase> cases) {
        return new FlowTestFile(tests.file(), tests.stem(), cases);
    }

    private static List<Problem> failures(FileResult result) {
        var out = new ArrayList<Problem>();
        result.problems().forEach(p -> out.add(Problem.error(result.file(), 1, p)));
        for (var c : result.cases()) {
            c.failures().forEach(f -> out.add(Problem.error(c.file(), f.line(), "case '" + c.name() + "': " + f.message())));
        }
        return out;
    }

    private static String count(int cases) {
        return cases + " case" + (cases == 1 ? "" : "s");
    }

    private static Duration took(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
