package dev.dialtone.conversation;

import java.util.Optional;

import dev.dialtone.plugin.ToolOutcome;

/**
 * The tool calls of one LLM round: the first tool's filler line is spoken while they run
 * concurrently ({@link ToolRunner}); when the last result is in, the results go into the history
 * and the LLM continues, unless a tool asked for an action (go to a node, hang up, transfer,
 * say), which is carried out then. Call's thread only.
 */
final class ToolRound {
    private final CallScope scope;
    private final Speaking speaking;
    private final ToolRunner runner;

    ToolRound(CallScope scope, Speaking speaking) {
        this.scope = scope;
        this.speaking = speaking;
        this.runner = new ToolRunner(scope.call, scope.flow.name(), scope.state, scope.post, scope.clock);
    }

    /** The call ended: closes what its tools keep between runs. */
    void close() {
        runner.close();
    }

    /** Runs the tool calls the reply's round ended with. */
    void run(Reply r) {
        r.toolCalls.stream()
                   .map(c -> scope.flow.tool(c.name(), scope.node()))
                   .flatMap(Optional::stream)
                   .flatMap(t -> t.say().stream())
                   .findFirst()
                   .ifPresent(filler -> speaking.say(r, filler, -1));
        for (var toolCall : r.toolCalls) {
            var tool = scope.flow.tool(toolCall.name(), scope.node());
            if (tool.isEmpty()) {
                r.toolResults.put(toolCall.id(), new ToolOutcome.Failure("no tool named '" + toolCall.name()
                                                                         + "' is available here"));
                continue;
            }
            runner.run(r.id, toolCall, tool.get(), scope.node());
        }
        if (!r.toolsRunning()) {
            continueAfterTools(r);
        }
    }

    /** A tool call of the current reply finished (results of a cut reply were settled when it was cut). */
    void onToolFinished(CallEvent.ToolFinished done) {
        var current = speaking.current();
        if (current.isEmpty() || done.reply() != current.get().id) {
            return;
        }
        var r = current.get();
        r.toolResults.put(done.call().id(), done.outcome());
        r.turn.tools.add(new Turn.ToolUse(done.call().name(), done.call().argumentsJson(), done.outcome().forModel(),
                                          done.outcome() instanceof ToolOutcome.Failure, done.millis(),
                                          scope.clock.now()));
        scope.transcript.update(r.turn);
        if (!r.toolsRunning()) {
            continueAfterTools(r);
        }
    }

    private void continueAfterTools(Reply r) {
        scope.history.toolResults(r.toolCalls, r.toolResults);
        r.stage = Reply.Stage.SAID; // until the next round streams
        var action = r.toolAction;
        if (action.isEmpty()) {
            speaking.requestLlm(r);
            return;
        }
        switch (action.get()) {
            case CallAction.GoTo go -> {
                var after = scope.afterNode(go.node());
                var say = scope.enterNode(go.node());
                if (say.isPresent()) {
                    speaking.endWith(r, say.get(), after);
                } else if (after.isPresent() && after.get() instanceof CallAction.Transfer) {
                    speaking.endWith(r, scope.phrases.transferring(), after);
                } else {
                    speaking.requestLlm(r);
                }
            }
            case CallAction.HangUp hangUp -> speaking.endWith(r, scope.phrases.goodbye(), action);
            case CallAction.Transfer transfer -> speaking.endWith(r, scope.phrases.transferring(), action);
            case CallAction.CollectDigits collect -> {
                scope.collectNext(collect.collect());
                var prompt = collect.collect().prompt().map(t -> t.render(scope.values()));
                if (prompt.isPresent()) {
                    speaking.endWith(r, prompt.get(), Optional.empty());
                } else {
                    speaking.requestLlm(r); // the agent asks for the digits in its own words
                }
            }
            case CallAction.Say sayAction -> {
                speaking.say(r, sayAction.text(), -1);
                speaking.requestLlm(r);
            }
        }
    }
}
