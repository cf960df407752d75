package dev.dialtone.flowtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.dialtone.flow.CompanionCheck;
import dev.dialtone.flow.FlowFileNames;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Problem;
import dev.dialtone.llm.ChatModel;

/**
 * Flow tests: find a flows folder's test files, read and check them, and run a file's cases on a
 * flow version, replaying its cassette (no network, no keys: CI, and later a reload gate, which
 * hands in the candidate version) or recording one with the live LLM. Cases run one after another,
 * each a fresh call in text mode on virtual time.
 */
public final class FlowTests {
    /** The longest wait, in real time, for one answer of the LLM or one tool. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    private FlowTests() {
    }

    /** The test files in a flows folder, sorted; none when it does not exist. */
    public static List<Path> files(Path flowsDir) throws IOException {
        if (!Files.isDirectory(flowsDir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(flowsDir)) {
            return list.filter(Files::isRegularFile).filter(FlowFileNames::isTest)
                       .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    /** The live version of the flow a test file is beside (they share a file name), if it loaded. */
    public static Optional<FlowVersion> flowOf(Path testFile, Iterable<FlowVersion> versions) {
        var stem = FlowFileNames.stem(testFile);
        var folder = testFile.toAbsolutePath().normalize().getParent();
        for (var v : versions) {
            var flowFile = v.flow().file().toAbsolutePath().normalize();
            if (flowFile.getParent().equals(folder) && FlowFileNames.stem(flowFile).equals(stem)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads and checks a test file, adding every problem with its line.
     *
     * @param flow its flow, when loaded: the nodes and tools named are checked against it
     */
    public static Optional<FlowTestFile> read(Path testFile, Optional<FlowVersion> flow, List<Problem> problems) {
        try {
            return TestFileParser.parse(testFile, Files.readString(testFile, StandardCharsets.UTF_8), flow, problems);
        } catch (IOException e) {
            problems.add(Problem.error(testFile, 1, "cannot read the test file (" + e.getClass().getSimpleName() + ")"));
            return Optional.empty();
        }
    }

    /** Runs every case on {@code version} with the LLM's answers replayed from the cassette beside the test file. */
    public static FileResult replay(FlowVersion version, FlowTestFile tests, Duration patience) throws InterruptedException {
        var file = Cassette.beside(tests.file());
        Cassette cassette;
        try {
            cassette = Files.exists(file) ? Cassette.read(file) : Cassette.empty();
        } catch (Cassette.Unreadable e) {
            return new FileResult(tests.file(), version.name(), List.of(), List.of(e.getMessage()));
        }
        var llm = CassetteModel.replaying(cassette, "bin/dialtone test-flows --record " + version.name());
        return run(version, tests, llm, patience);
    }

    /**
     * Runs every case on {@code version} with the flow's live LLM, and writes what it answered into the
     * cassette beside the test file (the cases' old recordings replaced, those of removed cases dropped).
     */
    public static FileResult record(FlowVersion version, FlowTestFile tests, ChatModel live, Duration patience)
            throws InterruptedException {
        var file = Cassette.beside(tests.file());
        Cassette cassette;
        try {
            cassette = Files.exists(file) ? Cassette.read(file) : Cassette.empty();
        } catch (Cassette.Unreadable e) {
            cassette = Cassette.empty(); // replaced whole
        }
        var result = run(version, tests, CassetteModel.recording(live, cassette), patience);
        cassette.retain(tests.cases().stream().map(FlowTestFile.TestCase::name).toList());
        try {
            cassette.write(file, version.name());
            return result;
        } catch (IOException e) {
            return new FileResult(tests.file(), version.name(), result.cases(),
                                  List.of(file + ": cannot write the cassette (" + e.getClass().getSimpleName() + ")"));
        }
    }

    /** Runs every case on {@code version} with the flow's live LLM, recording nothing (a gate's cases after a swap). */
    static FileResult live(FlowVersion version, FlowTestFile tests, ChatModel live, Duration patience) throws InterruptedException {
        return run(version, tests, CassetteModel.recording(live, Cassette.empty()), patience);
    }

    private static FileResult run(FlowVersion version, FlowTestFile tests, CassetteModel llm, Duration patience)
            throws InterruptedException {
        var results = new ArrayList<CaseResult>();
        for (var testCase : tests.cases()) {
            results.add(CaseRun.run(version, tests, testCase, llm, patience));
        }
        return new FileResult(tests.file(), version.name(), results, List.of());
    }

    /** {@code bin/dialtone validate}'s check of the test files beside the flows. */
    public static CompanionCheck check() {
        return FlowTests::check;
    }

    private static CompanionCheck.Result check(Path flowsDir, Map<String, FlowVersion> versions) {
        var problems = new ArrayList<Problem>();
        List<Path> files;
        try {
            files = files(flowsDir);
        } catch (IOException e) {
            return new CompanionCheck.Result(List.of(Problem.error(flowsDir, 1, "cannot list the test files ("
                    + e.getClass().getSimpleName() + ")")), "");
        }
        int cases = 0;
        for (var file : files) {
            var flow = flowOf(file, versions.values());
            if (flow.isEmpty() && !versions.isEmpty()) {
                problems.add(Problem.error(file, 1, "no flow beside this test file: it tests " + FlowFileNames.stem(file)
                        + ".yaml, which is not in " + flowsDir));
            }
            cases += read(file, flow, problems).map(t -> t.cases().size()).orElse(0);
        }
        problems.sort(Comparator.comparing((Problem p) -> p.file().toString()).thenComparingInt(Problem::line));
        var summary = files.isEmpty() ? "" : files.size() + " flow test file" + (files.size() == 1 ? "" : "s")
                + " (" + cases + " case" + (cases == 1 ? "" : "s") + ")";
        return new CompanionCheck.Result(problems, summary);
    }
}
