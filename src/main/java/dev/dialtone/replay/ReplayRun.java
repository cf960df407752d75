package dev.dialtone.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dialtone.conversation.TextCall;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.llm.ChatModel;

/**
 * Plays a stored call's caller steps, one by one, on a {@link TextCall} of another flow version and
 * notes what the agent did in answer to each. Stops when the call ends (later steps get no answer)
 * or when the agent is still busy after {@code patience} (the rest would only wait too).
 */
final class ReplayRun {
    private ReplayRun() {
    }

    record Outcome(List<Exchange> exchanges, Optional<String> problem) {
    }

    static Outcome run(FlowVersion version, ChatModel llm, TextCall.Setup setup, List<Step> steps, Duration patience)
            throws InterruptedException {
        var out = new ArrayList<Exchange>();
        try (var call = new TextCall(version, llm, setup)) {
            boolean quiet = call.start(patience);
            out.add(exchange(call, null, call.happenings()));
            for (int i = 0; quiet && i < steps.size() && !call.ended(); i++) {
                var step = steps.get(i);
                int from = call.happenings().size();
                quiet = switch (step) {
                    case Step.Says says -> call.say(says.text(), patience);
                    case Step.Keys keys -> call.press(keys.keys(), patience);
                };
                var all = call.happenings();
                out.add(exchange(call, step, all.subList(from, all.size())));
            }
            var problem = quiet ? Optional.<String>empty()
                    : Optional.of("the agent was still busy " + patience.toSeconds() + " s after step " + (out.size() - 1)
                    + ": no answer from the LLM; the replay stops there");
            return new Outcome(out, problem);
        }
    }

    static TextCall.Setup setup(String sid, String from, String to, Instant startedAt) {
        return new TextCall.Setup(sid, from, to, startedAt, Optional.empty(), Map.of());
    }

    private static Exchange exchange(TextCall call, Step step, List<TextCall.Happening> happened) {
        var agent = new StringBuilder();
        var tools = new ArrayList<Exchange.ToolLine>();
        var nodes = new ArrayList<String>();
        for (var h : happened) {
            switch (h) {
                case TextCall.Happening.Said said -> agent.append(agent.isEmpty() ? "" : " ").append(said.text().strip());
                case TextCall.Happening.ToolUsed used -> tools.add(new Exchange.ToolLine(used.use().name(),
                        Arguments.compact(used.use().arguments()), used.use().result(), used.use().error()));
                case TextCall.Happening.Noted note -> {
                    if (note.kind().equals("node")) {
                        nodes.add(note.detail());
                    }
                }
            }
        }
        return new Exchange(step, agent.toString(), tools, nodes, call.state(), call.ended());
    }
}
