package dev.dialtone.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;

/**
 * A call in text mode driven on its driver's own thread: the same {@link Conversation} as a phone
 * call or {@code bin/dialtone chat}, with typed turns and phone keys in, the agent's lines out
 * ({@link TextVoice}) and virtual time ({@link VirtualClock}), so nothing waits on a real clock.
 * The driver's thread is the call's actor: it hands the conversation each event that the LLM
 * stream, the tools and the timers post, until the call is quiet (the agent has finished and waits
 * for the caller) or has ended. Flow tests run on it. One driving thread; the transcript may be read
 * from any.
 */
public final class TextCall implements AutoCloseable {
    /**
     * Who calls whom and when, and where the call starts: at the flow's start with its greeting
     * ({@code startNode} empty), or in a node with some state already set.
     */
    public record Setup(String sid, String from, String to, Instant startsAt, Optional<String> startNode,
                        Map<String, String> state) {
        public Setup {
            Objects.requireNonNull(sid, "sid");
            Objects.requireNonNull(startNode, "startNode");
            state = Map.copyOf(state);
        }
    }

    /** What happened on the call that a transcript shows, in order. */
    public sealed interface Happening {
        /** A line the agent said (heard at once: this is text). */
        record Said(String text) implements Happening {
        }

        /** A tool call that finished, with its arguments and result. */
        record ToolUsed(Turn.ToolUse use) implements Happening {
        }

        /** A note of the call's record: "node", "dtmf", "hangup", "transfer", "error". */
        record Noted(String kind, String detail) implements Happening {
        }
    }

    private final LinkedBlockingQueue<CallEvent> mailbox = new LinkedBlockingQueue<>(); // posted from any thread
    private final VirtualClock clock;
    private final Conversation conversation;
    private final CallTranscript transcript;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Happening> happenings = new CopyOnWriteArrayList<>();
    private final List<Integer> toolsSeen = new ArrayList<>(); // per turn, its tool uses already in happenings; driver thread
    private int linesSeen;                                     // driver thread
    private int notesSeen;                                     // driver thread
    private volatile boolean hungUp;
    private volatile String transferredTo;

    /** @param llm the flow's LLM as the test wants it (a recording, or the live client) */
    public TextCall(FlowVersion flow, ChatModel llm, Setup setup) {
        this.clock = new VirtualClock(setup.startsAt());
        var info = new Conversation.CallInfo(setup.sid(), setup.from(), setup.to());
        this.transcript = new CallTranscript(info.sid(), flow.name(), flow.hash(), info.from(), info.to(), "inbound",
                                             clock.now(), CallLog.NONE);
        var voice = new TextVoice(lines::add, mailbox::add, clock);
        var line = new Line() {
            @Override
            public void hangUp() {
                hungUp = true;
            }

            @Override
            public void transfer(String number) {
                transferredTo = number;
            }
        };
        var typed = new CallSession.SpeechInput(null, null, mailbox::add, clock, Optional.empty());
        this.conversation = new Conversation(info, flow, llm, voice, typed, line, clock, mailbox::add, transcript, new TurnMetrics(new SimpleMeterRegistry()),
                                             Phrases.ENGLISH);
        conversation.resumeAt(setup.startNode(), setup.state());
    }

    /**
     * Connects the call (greeting or the start node's line) and returns once it is quiet.
     *
     * @param patience how long to wait, in real time, for the LLM and tools (a live LLM takes seconds)
     * @return false when the agent was still busy after {@code patience}
     */
    public boolean start(Duration patience) throws InterruptedException {
        conversation.start();
        noteHappenings();
        return awaitQuiet(patience);
    }

    /** The caller says {@code text}; returns once the agent has answered (false: still busy after {@code patience}). */
    public boolean say(String text, Duration patience) throws InterruptedException {
        deliver(new CallEvent.TypedTurn(text));
        return awaitQuiet(patience);
    }

    /**
     * The caller presses {@code keys} one after another. Keys the flow routes act at once; the others
     * make one keyed turn, which ends when no key has come for the usual pause (time moves on by it).
     */
    public boolean press(String keys, Duration patience) throws InterruptedException {
        for (var key : keys.split("")) {
            if (ended()) {
                break;
            }
            deliver(new CallEvent.Digit(key));
            if (!awaitQuiet(patience)) {
                return false;
            }
        }
        return conversation.keysPending() ? pause(Conversation.DIGIT_GAP, patience) : awaitQuiet(patience);
    }

    /**
     * The caller stays silent for {@code time}: the call's timers run as they fall due (re-prompts,
     * the time limit), each handled before the next, at once in real time.
     */
    public boolean pause(Duration time, Duration patience) throws InterruptedException {
        long until = clock.nanos() + time.toNanos();
        while (!ended() && clock.runNext(until)) {
            if (!awaitQuiet(patience)) {
                return false;
            }
        }
        return awaitQuiet(patience);
    }

    /** Whether the call is over (hung up, transferred, or ended by the flow). */
    public boolean ended() {
        return transcript.endedAt().isPresent();
    }

    /** Whether the agent hung up (end_call, a node with end, a hang-up key, a time limit). */
    public boolean hungUp() {
        return hungUp;
    }

    /** The number the call was transferred to, if it was. */
    public Optional<String> transferredTo() {
        return Optional.ofNullable(transferredTo);
    }

    /** What has happened so far, in order. */
    public List<Happening> happenings() {
        return List.copyOf(happenings);
    }

    /** Every line the agent said, in order. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public CallTranscript transcript() {
        return transcript;
    }

    /** The node the call is in now. */
    public Optional<String> node() {
        return conversation.node();
    }

    /** The call's state as plugins left it. */
    public Map<String, String> state() {
        return conversation.state().snapshot();
    }

    /** The history as the LLM would see it next. */
    public List<ChatMessage> history() {
        return conversation.history();
    }

    /** Hangs up whatever still runs (an LLM stream, the timers). Idempotent. */
    @Override
    public void close() {
        conversation.stop("test over");
    }

    private void deliver(CallEvent event) {
        conversation.handle(event);
        noteHappenings();
    }

    /**
     * Adds what the last event did to the happenings: tool calls that finished, then notes (a node
     * entered, a hang-up), then lines said, which is the order one event does them in (a tool's
     * result moves the call to a node, whose line is then said).
     */
    private void noteHappenings() {
        var turns = transcript.turns();
        for (var turn : turns) {
            while (toolsSeen.size() <= turn.index()) {
                toolsSeen.add(0);
            }
            var tools = turn.tools();
            for (int i = toolsSeen.get(turn.index()); i < tools.size(); i++) {
                happenings.add(new Happening.ToolUsed(tools.get(i)));
            }
            toolsSeen.set(turn.index(), tools.size());
        }
        var notes = transcript.notes();
        for (; notesSeen < notes.size(); notesSeen++) {
            happenings.add(new Happening.Noted(notes.get(notesSeen).kind(), notes.get(notesSeen).detail()));
        }
        for (; linesSeen < lines.size(); linesSeen++) {
            happenings.add(new Happening.Said(lines.get(linesSeen)));
        }
    }

    /**
     * Hands the conversation every event posted, waiting for those still to come (an LLM stream, a
     * tool) while the agent is busy, until it is not or the call has ended. Waits at most
     * {@code patience} for any one event; a time limit, not a pause.
     */
    private boolean awaitQuiet(Duration patience) throws InterruptedException {
        while (true) {
            CallEvent next;
            while ((next = mailbox.poll()) != null) {
                deliver(next);
            }
            if (ended() || !conversation.busy()) {
                return true;
            }
            next = mailbox.poll(patience.toNanos(), TimeUnit.NANOSECONDS);
            if (next == null) {
                return false;
            }
            deliver(next);
        }
    }
}
