package dev.dialtone.conversation;

import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import dev.dialtone.flow.Collect;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.Redaction;
import dev.dialtone.flow.FlowNode;
import dev.dialtone.flow.TemplateValues;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.plugin.CallState;

/**
 * What the parts of one call's conversation share ({@link Conversation} for turn-taking and call
 * control, {@link Speaking} for replies, {@link ToolRound} for tools): the call's collaborators,
 * its history, timers and state, and the node it is in. Like them, call's thread only.
 */
final class CallScope {
    private static final System.Logger LOG = System.getLogger(Conversation.class.getName());
    private static final String VOICE_GUIDANCE = "You are speaking on a phone call: answer in short spoken "
            + "sentences, without lists, markdown or emoji.";

    final Conversation.CallInfo call;
    final FlowVersion flow;
    final ChatModel llm;
    final Voice voice;
    final Line line;
    final CallClock clock;
    final Consumer<CallEvent> post;
    final CallTranscript transcript;
    final TurnMetrics metrics;
    final Phrases phrases;
    final History history = new History();
    final CallTimers timers;
    final CallState state = new CallState();
    /** State keys holding masked digits: templates render them as ****1234. */
    final Set<String> masked = new HashSet<>();
    private Optional<Collect> collectOnEntry = Optional.empty(); // the entered node's collection, not begun yet
    private Optional<String> node;
    private int turns;
    private long ids;

    CallScope(Conversation.CallInfo call, FlowVersion flow, ChatModel llm, Voice voice, Line line, CallClock clock,
              Consumer<CallEvent> post, CallTranscript transcript, TurnMetrics metrics, Phrases phrases) {
        this.call = call;
        this.flow = flow;
        this.llm = llm;
        this.voice = voice;
        this.line = line;
        this.clock = clock;
        this.post = post;
        this.transcript = transcript;
        this.metrics = metrics;
        this.phrases = phrases;
        this.timers = new CallTimers(clock, post);
        this.node = flow.startNode();
        transcript.handledBy(flow);
    }

    /**
     * The level for a log line that carries conversation content: {@code usual} (below INFO, so off
     * by default), or INFO for the calls of a flow with {@code debug: true}.
     */
    System.Logger.Level contentLevel(System.Logger.Level usual) {
        return flow.flow().debug() ? System.Logger.Level.INFO : usual;
    }

    /** The node the call is in (empty for a flow without nodes). */
    Optional<String> node() {
        return node;
    }

    /** Moves to a node; returns its entry line, if it has one. An unknown node (a plugin's typo) is ignored. */
    Optional<String> enterNode(String name) {
        if (flow.flow().node(name).isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Call {0}: no node named {1} in flow {2}", call.sid(), name, flow.name());
            transcript.note(clock.now(), "error", "goto: no node named " + name);
            return Optional.empty();
        }
        node = Optional.of(name);
        transcript.node(name);
        transcript.note(clock.now(), "node", name);
        return entryLine(name);
    }

    /** What the agent says on entering a node: its say, then its collection's prompt (which is then due to begin). */
    Optional<String> entryLine(String name) {
        var n = flow.flow().node(name);
        collectOnEntry = n.flatMap(FlowNode::collect);
        var say = n.flatMap(FlowNode::say).map(t -> t.render(values()));
        var prompt = collectOnEntry.flatMap(Collect::prompt).map(t -> t.render(values()));
        return prompt.isEmpty() ? say : Optional.of(say.map(s -> s + " ").orElse("") + prompt.get());
    }

    /** The collection's prompt due to begin, if any (after a greeting, which replaces the start node's say). */
    Optional<String> collectPrompt() {
        return collectOnEntry.flatMap(Collect::prompt).map(t -> t.render(values()));
    }

    /** A collection to begin once the current event is handled (the collect_digits tool). */
    void collectNext(Collect collect) {
        collectOnEntry = Optional.of(collect);
    }

    /** The collection of the node just entered, once: it begins now. */
    Optional<Collect> takeCollectOnEntry() {
        var c = collectOnEntry;
        collectOnEntry = Optional.empty();
        return c;
    }

    /** Puts the call in a node before it starts (no transcript note: nothing happened yet). */
    void startIn(String name) {
        node = Optional.of(name);
    }

    /** What entering the node leads to once its line is said: the end of the call, a transfer (cold or warm), or nothing. */
    Optional<CallAction> afterNode(String name) {
        var node = flow.flow().node(name);
        if (node.map(FlowNode::end).orElse(false)) {
            return Optional.of(new CallAction.HangUp("flow ended"));
        }
        return node.flatMap(FlowNode::transfer).map(t -> new CallAction.Transfer(t.to(), Optional.of(t)));
    }

    /** The call goes on after {@code count} turns already recorded (back from a warm transfer). */
    void continueAfter(int count) {
        turns = count;
    }

    /** A new id for a reply or a segment. */
    long nextId() {
        return ++ids;
    }

    Turn newTurn() {
        var turn = new Turn(turns++, clock.now());
        transcript.update(turn);
        return turn;
    }

    /** Closes a turn's record: transcript, usage, latency metrics. */
    void finishTurn(Turn turn) {
        transcript.finish(turn);
        // usage is recorded once per turn, not per segment: one store write instead of several
        transcript.usage(flow.flow().llm().provider(), "llm_tokens", turn.llmInputTokens, turn.llmOutputTokens);
        transcript.usage(flow.flow().tts().provider(), "tts_characters", turn.ttsCharacters, 0);
        turn.llmInputTokens = 0;
        turn.llmOutputTokens = 0;
        turn.ttsCharacters = 0;
        metrics.record(turn.view());
    }

    String systemPrompt() {
        var prompt = flow.prompt(node, values());
        return prompt.isEmpty() ? VOICE_GUIDANCE : prompt + "\n\n" + VOICE_GUIDANCE;
    }

    TemplateValues values() {
        var shown = new HashMap<>(state.snapshot());
        masked.forEach(key -> shown.computeIfPresent(key, (k, v) -> Redaction.mask(v)));
        return new TemplateValues(call.from(), call.to(), shown,
                                  ZonedDateTime.ofInstant(clock.now(), flow.flow().timezone()));
    }
}
