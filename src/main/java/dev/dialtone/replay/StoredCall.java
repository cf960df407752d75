package dev.dialtone.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.dialtone.store.CallDetail;
import dev.dialtone.store.EventKind;
import dev.dialtone.store.EventRecord;
import dev.dialtone.store.TurnRecord;

/**
 * A stored call read as a replay needs it: the caller's steps in order and what the agent did in
 * answer to each. Turns are the caller's words (a keyed turn reads "(The caller pressed 12 on the
 * keypad.)"), turns with no caller words add to the answer before them (the greeting is turn 0);
 * keys the flow routes and node changes are events, put among the turns by time: the turn's start,
 * else its stage times. A turn stored with neither (before turns kept their start) takes the time
 * of what came before it.
 */
final class StoredCall {
    private static final Pattern KEYED = Pattern.compile("\\(The caller pressed ([0-9*#A-D]+) on the keypad\\.\\)");

    private StoredCall() {
    }

    private record Item(Instant at, TurnRecord turn, EventRecord event) {
    }

    /** The exchanges of {@code call}: the first answers the call connecting, each other one step. */
    static List<Exchange> exchanges(CallDetail call) {
        var items = new ArrayList<Item>();
        var at = call.summary().startedAt();
        for (var turn : call.turns()) {
            var t = turn.timings();
            var known = Stream.of(turn.startedAt(), t.callerSpeechEnded(), t.sttFinal(), t.llmFirstToken())
                    .filter(Objects::nonNull).findFirst();
            at = known.orElse(at);
            items.add(new Item(at, turn, null));
        }
        for (var event : call.events()) {
            if (event.kind() == EventKind.DTMF || event.kind() == EventKind.NODE_CHANGE) {
                // before the turn it caused (a routed key's line begins at the key's instant), after the
                // events of the same instant already placed
                int i = 0;
                while (i < items.size() && (items.get(i).at().isBefore(event.at())
                        || items.get(i).event() != null && !items.get(i).at().isAfter(event.at()))) {
                    i++;
                }
                items.add(i, new Item(event.at(), null, event));
            }
        }
        var out = new ArrayList<Exchange>();
        var current = new Builder(null);
        for (var item : items) {
            if (item.event() != null) {
                if (item.event().kind() == EventKind.NODE_CHANGE) {
                    current.nodes.add(item.event().detail());
                } else {
                    out.add(current.build());
                    current = new Builder(new Step.Keys(item.event().detail()));
                }
                continue;
            }
            var turn = item.turn();
            if (!turn.callerText().isBlank()) {
                out.add(current.build());
                var keyed = KEYED.matcher(turn.callerText().strip());
                current = new Builder(keyed.matches() ? new Step.Keys(keyed.group(1)) : new Step.Says(turn.callerText()));
            }
            current.add(turn);
        }
        out.add(current.build());
        return out;
    }

    /** The caller's steps of a stored call, in order. */
    static List<Step> steps(List<Exchange> exchanges) {
        return exchanges.stream().map(Exchange::step).filter(Objects::nonNull).toList();
    }

    private static final class Builder {
        final Step step;
        final StringBuilder agent = new StringBuilder();
        final List<Exchange.ToolLine> tools = new ArrayList<>();
        final List<String> nodes = new ArrayList<>();

        Builder(Step step) {
            this.step = step;
        }

        void add(TurnRecord turn) {
            turn.toolCalls().forEach(t -> tools.add(new Exchange.ToolLine(t.name(), Arguments.compact(t.argumentsJson()),
                    t.result().orElse(t.failure().orElse("")), t.failure().isPresent())));
            if (!turn.agentText().isBlank()) {
                agent.append(agent.isEmpty() ? "" : " ").append(turn.agentText().strip());
            }
        }

        Exchange build() {
            return new Exchange(step, agent.toString(), tools, nodes, null, false);
        }
    }
}
