package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.dialtone.conversation.TextCall;
import dev.dialtone.conversation.Turn;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.net.Json;

/**
 * Runs one test case: a {@link TextCall} of the flow version (tools with the case's fixtures and
 * stand-ins, the LLM from the {@link CassetteModel}), the caller's turns one by one, each turn's
 * checks on its reply, then the case's checks and rubrics on the whole call. It stops at the first
 * turn the LLM could not answer (no recording) or that never finished, since what follows would
 * only repeat that failure.
 */
final class CaseRun {
    /** How a provider failure reads in a call's notes; the transcript keeps its provider and message. */
    private static final Pattern PROVIDER_ERROR = Pattern.compile("ProviderError\\[kind=(\\w+), provider=([^,]+), message=(.*), retryable=\\w+]");
    private final FlowVersion version;
    private final FlowTestFile file;
    private final FlowTestFile.TestCase testCase;
    private final CassetteModel llm;
    private final Duration patience;
    private final List<CaseResult.Failure> failures = new ArrayList<>();
    private final StringBuilder transcript = new StringBuilder();
    private int llmProblemsReported; // the LLM's problems already among the failures

    private CaseRun(FlowVersion version, FlowTestFile file, FlowTestFile.TestCase testCase, CassetteModel llm, Duration patience) {
        this.version = version;
        this.file = file;
        this.testCase = testCase;
        this.llm = llm;
        this.patience = patience;
    }

    /** @param patience the longest wait, in real time, for one answer of the LLM or one tool */
    static CaseResult run(FlowVersion version, FlowTestFile file, FlowTestFile.TestCase testCase, CassetteModel llm,
                          Duration patience) throws InterruptedException {
        long started = System.nanoTime();
        var run = new CaseRun(version, file, testCase, llm, patience);
        run.go();
        return new CaseResult(testCase.name(), file.file(), testCase.line(), run.failures, run.transcript.toString(),
                              Duration.ofNanos(System.nanoTime() - started));
    }

    private void go() throws InterruptedException {
        llm.beginCase(testCase.name());
        var http = new CaseHttp(testCase.http());
        var setup = new TextCall.Setup(sid(testCase.name()), testCase.caller(), version.flow().numbers().stream().findFirst().orElse(""),
                                       testCase.now(), testCase.start(), testCase.state());
        try (var call = new TextCall(StandIns.of(version, testCase, http), llm, setup)) {
            boolean ok = call.start(patience);
            write(call.happenings());
            if (!ok) {
                failures.add(new CaseResult.Failure(testCase.line(), busy("as the call connects")));
            }
            var turns = testCase.turns();
            for (int i = 0; ok && llm.problems().isEmpty() && i < turns.size(); i++) {
                ok = turn(call, i + 1, turns.get(i));
            }
            if (llm.problems().isEmpty() && ok) {
                var seen = observed(call, call.happenings());
                for (var check : testCase.checks()) {
                    Verdicts.failure(check, seen).ifPresent(m -> failures.add(new CaseResult.Failure(check.line(), m)));
                }
                judge(turns.size());
            }
            reportLlmProblems(testCase.line());
            http.unanswered().forEach(r -> failures.add(new CaseResult.Failure(testCase.line(), "a plugin asked for " + r
                    + ", which the case does not answer (add it under http:; tests never use the network)")));
        }
    }

    /** Plays one caller turn and checks its reply; false when the case cannot go on. */
    private boolean turn(TextCall call, int number, FlowTestFile.CallerTurn turn) throws InterruptedException {
        if (call.ended()) {
            failures.add(new CaseResult.Failure(turn.line(), "turn " + number + ": the call had already ended ("
                    + call.transcript().endReason().orElse("") + ")"));
            return false;
        }
        llm.at(number, turn.describe());
        transcript.append(turn.describe()).append('\n');
        int from = call.happenings().size();
        boolean quiet = switch (turn) {
            case FlowTestFile.CallerTurn.Says says -> call.say(says.text(), patience);
            case FlowTestFile.CallerTurn.Keys keys -> call.press(keys.keys(), patience);
            case FlowTestFile.CallerTurn.Waits waits -> call.pause(waits.time(), patience);
        };
        var all = call.happenings();
        var happened = all.subList(from, all.size());
        write(happened);
        if (!quiet) {
            failures.add(new CaseResult.Failure(turn.line(), "turn " + number + ": " + busy("after this turn")));
            return false;
        }
        reportLlmProblems(turn.line()); // a request with no recording: the case stops at this turn
        if (llm.problems().isEmpty()) {
            var seen = observed(call, happened);
            for (var check : turn.checks()) {
                Verdicts.failure(check, seen).ifPresent(m -> failures.add(new CaseResult.Failure(check.line(), "turn " + number + ": " + m)));
            }
        }
        return true;
    }

    /** The case's rubrics, each judged by the flow's LLM on the whole transcript. */
    private void judge(int turns) throws InterruptedException {
        for (var check : testCase.checks()) {
            if (check instanceof Check.Rubric rubric) {
                llm.at(turns + 1, "rubric: " + rubric.text());
                var failure = Judge.failure(llm, version, transcript.toString(), rubric.text(), patience);
                if (llm.problems().size() > llmProblemsReported) {
                    reportLlmProblems(rubric.line()); // no recorded verdict: that is the failure, said once
                } else {
                    failure.ifPresent(m -> failures.add(new CaseResult.Failure(rubric.line(), m)));
                }
            }
        }
    }

    /** The LLM's problems not yet among the failures, at {@code line}. */
    private void reportLlmProblems(int line) {
        var problems = llm.problems();
        for (; llmProblemsReported < problems.size(); llmProblemsReported++) {
            failures.add(new CaseResult.Failure(line, problems.get(llmProblemsReported)));
        }
    }

    private String busy(String when) {
        return "the agent was still busy " + when + ": no answer from the LLM or a tool within " + patience.toSeconds() + " s";
    }

    private static Verdicts.Observed observed(TextCall call, List<TextCall.Happening> happened) {
        var tools = new ArrayList<Turn.ToolUse>();
        var said = new StringBuilder();
        for (var h : happened) {
            switch (h) {
                case TextCall.Happening.ToolUsed used -> tools.add(used.use());
                case TextCall.Happening.Said line -> said.append(said.isEmpty() ? "" : " ").append(line.text());
                case TextCall.Happening.Noted note -> {
                }
            }
        }
        return new Verdicts.Observed(tools, said.toString(), call.node(), call.state(), call.ended(), call.transcript().endReason(),
                                     call.transferredTo());
    }

    /**
     * Adds happenings to the readable transcript: what the agent said (its segments in a row as one
     * line), and indented, the tool calls, nodes and call events. Arguments are written in one form
     * (the live LLM's spacing is not kept in a recording), so the transcript a judge reads is the
     * same when recorded and replayed.
     */
    private void write(List<TextCall.Happening> happened) {
        var said = new StringBuilder();
        for (var h : happened) {
            if (h instanceof TextCall.Happening.Said line) {
                said.append(said.isEmpty() ? "agent: " : " ").append(line.text());
                continue;
            }
            if (!said.isEmpty()) {
                transcript.append(said).append('\n');
                said.setLength(0);
            }
            var line = switch (h) {
                case TextCall.Happening.Said ignored -> Optional.<String>empty();
                case TextCall.Happening.ToolUsed used -> Optional.of("  tool " + used.use().name() + " " + compact(used.use().arguments())
                        + (used.use().error() ? " -> error " : " -> ") + used.use().result());
                case TextCall.Happening.Noted note -> switch (note.kind()) {
                    case "dtmf" -> Optional.<String>empty(); // the caller's turn says which keys
                    case "node" -> Optional.of("  (now in node " + note.detail() + ")");
                    case "hangup" -> Optional.of("  (the agent hung up: " + note.detail() + ")");
                    case "transfer" -> Optional.of("  (the call was transferred to " + note.detail() + ")");
                    default -> Optional.of("  (" + note.kind() + ": " + PROVIDER_ERROR.matcher(note.detail()).replaceAll("$2: $3") + ")");
                };
            };
            line.ifPresent(l -> transcript.append(l).append('\n'));
        }
        if (!said.isEmpty()) {
            transcript.append(said).append('\n');
        }
    }

    /** JSON text in its compact form (as replayed), or as it is when it is not JSON. */
    private static String compact(String json) {
        try {
            return Json.write(Json.read(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    /** A call id for the case, the same every run (plugins may put it in what they return), shaped like Twilio's. */
    static String sid(String caseName) {
        return "CA" + RequestPrint.digest(caseName).substring(0, 32);
    }
}
