package dev.dialtone.flow;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a flow with {@code tests: gate} must pass before a new version of it goes live. The registry
 * asks it for every gated candidate whose flow, plugins, tests or recordings changed, on the
 * reloading thread; a failure refuses the reload like an error in a file. Implemented by a package
 * above this one (flow tests run the conversation, which depends on flow), handed in by {@code Main}.
 */
public interface ReloadGate {
    /** No gate: {@code tests: gate} is ignored (tools that only read flows). */
    ReloadGate NONE = new ReloadGate() {
        public String fingerprint(FlowVersion candidate) {
            return "";
        }

        public Verdict check(FlowVersion candidate) {
            return new Verdict(List.of(), "", Duration.ZERO);
        }

        public void afterSwap(FlowVersion live, Consumer<Verdict> report) {
        }
    };

    /**
     * @param failures each failing case's failures, at the test file's lines (errors)
     * @param summary  what ran, for the status ("3 replayed cases passed", "1 case needs a live LLM: ...")
     * @param took     how long the cases took
     */
    record Verdict(List<Problem> failures, String summary, Duration took) {
        public Verdict {
            failures = List.copyOf(failures);
        }

        public boolean passed() {
            return failures.isEmpty();
        }
    }

    /** What the check of {@code candidate} reads besides the version itself (its tests and recordings), as a hash. */
    String fingerprint(FlowVersion candidate);

    /** Runs the candidate's cases that need no live LLM. Blocks; never throws for a failing case. */
    Verdict check(FlowVersion candidate);

    /**
     * After {@code live} went live: runs its cases that need a live LLM in the background and hands
     * their verdict to {@code report} (on another thread); nothing when it has none.
     */
    void afterSwap(FlowVersion live, Consumer<Verdict> report);
}
