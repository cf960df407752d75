package dev.dialtone;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.io.IOException;
import java.util.Optional;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.conversation.CallClock;
import dev.dialtone.conversation.Line;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.conversation.TurnMetrics;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.telephony.TwilioCalls;
import dev.dialtone.conversation.CallAction;
import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallSession;

/**
 * {@code bin/dialtone chat FLOW}: the same conversation as a phone call, driven by typed turns in
 * the terminal, with the flow's LLM, tools and nodes live. For operators trying a flow without a
 * phone.
 */
final class Chat {
    private Chat() {
    }

    static int run(Settings settings, String[] args) {
        return run(settings, args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
    }

    /** Runs a chat reading caller turns from {@code in} (one per line) until it ends or the call does. */
    static int run(Settings settings, String[] args, BufferedReader in, PrintStream out) {
        if (args.length != 1) {
            out.println("usage: bin/dialtone chat FLOW");
            return 2;
        }
        try (var plugins = new PluginRuntime(Main.pluginSettings(settings.plugin()));
             var flows = new FlowRegistry(settings.flows(), settings.plugins(), plugins,
                                          Main.configuredProviders(settings), new SimpleMeterRegistry(), Clock.systemUTC())) {
            var outcome = flows.reload();
            outcome.problems().forEach(p -> out.println("! " + p));
            var flow = flows.byName(args[0]);
            if (flow.isEmpty()) {
                out.println("No flow named '" + args[0] + "'. Flows: " + flows.versions().stream().map(v -> v.name()).toList());
                return 1;
            }
            var switchboard = new Switchboard(flows, Main.providers(settings), new TwilioCalls(settings.twilio()),
                                              new TurnMetrics(new SimpleMeterRegistry()), CallClock.system(), CallLog.NONE,
                                              Optional.empty());
            var session = switchboard.chat(flow.get(), "CHAT" + System.currentTimeMillis(),
                                           text -> out.println("agent: " + text), printedLine(out));
            out.println("Talking to flow " + flow.get().name() + " (" + flow.get().hash() + "). Type, Enter to send; Ctrl-D ends.");
            if (flow.get().flow().greeting().isPresent()) {
                awaitAnswer(session, 0); // let the greeting finish, as a caller would
            }
            String line;
            while (!session.ended() && (line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    int before = session.transcript().turns().size();
                    session.type(line);
                    awaitAnswer(session, before);
                }
            }
            session.act(new CallAction.HangUp("operator"));
            return 0;
        } catch (IOException | IllegalStateException e) {
            out.println("chat: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Waits (up to 30 s) until the agent has answered the typed turn, so output and input do not interleave. */
    private static void awaitAnswer(CallSession session, int turnsBefore)
            throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!session.ended() && System.nanoTime() < deadline) {
            var turns = session.transcript().turns();
            if (turns.size() > turnsBefore && !turns.getLast().agentText().isEmpty()
                || turnsBefore == 0 && !turns.isEmpty() && !turns.getFirst().agentText().isEmpty()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static Line printedLine(PrintStream out) {
        return new Line() {
            @Override
            public void hangUp() {
                out.println("[the agent hung up]");
            }

            @Override
            public void transfer(String number) {
                out.println("[the agent transferred the call to " + number + "]");
            }
        };
    }
}
