package dev.dialtone.flowtest;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
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
 * LLM: they run after the swap on a virtual thread of their own, and report without blocking.
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

    /** The cases of a test file, split by whether the cassette can answer all of their requests. */
    private record Split(FlowTestFile replayable, FlowTestFile live) {
    }

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
        int replayed = split.replayable().cases().size();
        var waiting = split.live().cases().isEmpty() ? "" : "; " + count(split.live().cases().size())
                + " need" + (split.live().cases().size() == 1 ? "s" : "") + " a live LLM (run after the swap)";
        if (replayed == 0) {
            return new Verdict(List.of(), "no replayable case" + waiting, took(t0));
        }
        FileResult result;
        try {
            result = FlowTests.replay(candidate, split.replayable(), patience);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(List.of(Problem.error(testFile, 1, "the gate's tests were interrupted")), "interrupted", took(t0));
        }
        var failures = failures(result);
        var summary = failures.isEmpty() ? count(replayed) + " replayed passed"
                : result.failed() + " of " + count(replayed) + " replayed failed";
        return new Verdict(failures, summary + waiting, took(t0));
    }

    @Override
    public void afterSwap(FlowVersion live, Consumer<Verdict> report) {
        var testFile = FlowFileNames.testsOf(live.flow().file());
        var tests = FlowTests.read(testFile, Optional.of(live), new ArrayList<>());
        FlowTestFile needed;
        try {
            needed = tests.isEmpty() ? null : split(tests.get()).live();
        } catch (Cassette.Unreadable e) {
            return; // the gate reported it
        }
        if (needed == null || needed.cases().isEmpty()) {
            return;
        }
        var provider = live.flow().llm().provider();
        Thread.ofVirtual().name("flow-tests-" + live.name()).start(() -> {
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
            }
        });
    }

    /** Cases the cassette answers whole (every rubric's verdict too) against the rest. */
    private static Split split(FlowTestFile tests) throws Cassette.Unreadable {
        var file = Cassette.beside(tests.file());
        var cassette = Files.exists(file) ? Cassette.read(file) : Cassette.empty();
        var replayable = new ArrayList<FlowTestFile.TestCase>();
        var live = new ArrayList<FlowTestFile.TestCase>();
        for (var testCase : tests.cases()) {
            var recorded = cassette.recordings(testCase.name());
            var judged = recorded.stream().map(Cassette.Recording::after).toList();
            boolean rubricsRecorded = testCase.checks().stream().filter(c -> c instanceof Check.Rubric)
                    .allMatch(c -> judged.contains("rubric: " + ((Check.Rubric) c).text()));
            (!recorded.isEmpty() && rubricsRecorded ? replayable : live).add(testCase);
        }
        return new Split(new FlowTestFile(tests.file(), tests.stem(), replayable), new FlowTestFile(tests.file(), tests.stem(), live));
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
