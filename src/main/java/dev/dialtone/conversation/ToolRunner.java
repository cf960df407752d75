package dev.dialtone.conversation;

import java.util.Optional;
import java.util.function.Consumer;

import dev.dialtone.llm.ToolCall;
import dev.dialtone.flow.Collect;
import dev.dialtone.plugin.CallActions;
import dev.dialtone.plugin.CallPlugins;
import dev.dialtone.plugin.CallState;
import dev.dialtone.plugin.Tool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;

/**
 * Runs a call's tool invocations, each on its own virtual thread (parallel calls run
 * concurrently), and posts the outcome back to the call. Tools enforce their own time limits; a
 * tool that throws anyway fails its call, never the conversation. Actions a tool asks for
 * (say, transfer, hang up, go to a node) are posted as events too. The plugin contexts the call
 * keeps between its tool calls ({@link CallPlugins}) are closed by {@link #close()} when it ends.
 */
final class ToolRunner {
    private final Conversation.CallInfo call;
    private final String flow;
    private final CallState state;
    private final Consumer<CallEvent> post;
    private final CallClock clock;
    private final CallActions actions;
    private final CallPlugins plugins = new CallPlugins(); // thread-safe

    ToolRunner(Conversation.CallInfo call, String flow, CallState state, Consumer<CallEvent> post, CallClock clock) {
        this.call = call;
        this.flow = flow;
        this.state = state;
        this.post = post;
        this.clock = clock;
        this.actions = new CallActions() {
            @Override
            public void say(String text) {
                post.accept(new CallEvent.Action(new CallAction.Say(text)));
            }

            @Override
            public void transfer(String number) {
                post.accept(new CallEvent.Action(new CallAction.Transfer(number)));
            }

            @Override
            public void hangup() {
                post.accept(new CallEvent.Action(new CallAction.HangUp("agent ended the call")));
            }

            @Override
            public void goTo(String node) {
                post.accept(new CallEvent.Action(new CallAction.GoTo(node)));
            }

            @Override
            public void collectDigits(String into, int minDigits, int maxDigits, String prompt) {
                var collect = Collect.byTool(into, minDigits, maxDigits, Optional.ofNullable(prompt).filter(p -> !p.isBlank()));
                post.accept(new CallEvent.Action(new CallAction.CollectDigits(collect)));
            }
        };
    }

    void run(long reply, ToolCall toolCall, Tool tool, Optional<String> node) {
        var context = new ToolCallContext(call.sid(), call.from(), call.to(), flow, node, state, actions, plugins);
        Thread.ofVirtual().name("tool-" + tool.name()).start(() -> {
            long started = clock.nanos();
            ToolOutcome outcome;
            try {
                outcome = tool.invoke(toolCall.argumentsJson(), context);
            } catch (RuntimeException e) {
                outcome = new ToolOutcome.Failure("tool " + tool.name() + " failed: " + e.getClass().getSimpleName());
            }
            post.accept(new CallEvent.ToolFinished(reply, toolCall, outcome, (clock.nanos() - started) / 1_000_000));
        });
    }

    /** The call ended: the plugin contexts it kept close (those of tools still running, when they finish). */
    void close() {
        plugins.close();
    }
}
