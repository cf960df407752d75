package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.llm.ChatModel;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TurnThresholds;

/**
 * One {@link Conversation} driven event by event on the test's thread, as its actor would drive
 * it, with a manual clock, an in-memory voice whose audio and marks the test plays, and tools
 * that finish when the test releases them ({@link HarnessFlow}). The LLM is whatever
 * {@link ChatModel} the test gives: {@link ScriptedChatModel} for logic, a real client against a
 * fake server for the wire.
 */
final class ConversationHarness implements AutoCloseable {
    final ManualClock clock = new ManualClock();
    final BlockingQueue<CallEvent> mailbox = new LinkedBlockingQueue<>();
    final MemoryVoice voice = new MemoryVoice(clock, mailbox::add);
    final Conversation conversation;
    final CallTranscript transcript;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final HarnessFlow flow;
    private final QuietHearing hearing = new QuietHearing();
    private final List<String> lineActions = new ArrayList<>();
    private final List<CallEvent> handled = new ArrayList<>(); // every event handed to the conversation
    private int awaited;                                         // events before this one were looked at by awaitEvent

    ConversationHarness(HarnessFlow flow, ChatModel llm) {
        this.flow = flow;
        var info = new Conversation.CallInfo("CA-harness", "+15550001111", "+15550002222");
        transcript = new CallTranscript(info.sid(), flow.version().name(), flow.version().hash(), info.from(), info.to(),
                                        "inbound", clock.now(), CallLog.NONE);
        Line line = new Line() {
            public void hangUp() {
                lineActions.add("hangup");
            }

            public void transfer(String number) {
                lineActions.add("transfer " + number);
            }

            public boolean warmTransfer(HeldCall held) {
                lineActions.add("warm " + held.spec().to() + " from node " + held.node().orElse("-"));
                return true;
            }
        };
        conversation = new Conversation(info, flow.version(), llm, voice, hearing, line, clock, mailbox::add,
                                        transcript, new TurnMetrics(meters), Phrases.ENGLISH);
    }

    /** Starts the call and handles what that posts. */
    void start() {
        conversation.start();
        drain();
    }

    /** Hands the conversation one event, then everything it posted meanwhile. */
    void handle(CallEvent event) {
        deliver(event);
        drain();
    }

    /** Handles every event already in the mailbox, and those they post, until it is empty. */
    void drain() {
        CallEvent next;
        while ((next = mailbox.poll()) != null) {
            deliver(next);
        }
    }

    private void deliver(CallEvent event) {
        handled.add(event);
        conversation.handle(event);
    }

    /**
     * The first event that matches among those handled since the last call (a fast client's event
     * may already have been handled by a drain), else the next one posted from another thread (a
     * tool, a real LLM client), handling every event on the way; fails after 10 s, which only a
     * hang reaches.
     */
    CallEvent awaitEvent(Predicate<CallEvent> wanted) throws InterruptedException {
        while (true) {
            while (awaited < handled.size()) {
                var seen = handled.get(awaited++);
                if (wanted.test(seen)) {
                    drain();
                    return seen;
                }
            }
            var next = mailbox.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("an expected event was posted").isNotNull();
            deliver(next);
        }
    }

    /** The caller says something (a typed turn: it interrupts whatever the agent is saying). */
    void callerSays(String text) {
        handle(new CallEvent.TypedTurn(text));
    }

    /** Lets the tool call whose arguments carry {@code "key": key} finish, and handles its result. */
    void finishTool(String key) throws InterruptedException {
        flow.release(key);
        awaitEvent(e -> e instanceof CallEvent.ToolFinished done && done.call().argumentsJson().contains('"' + key + '"'));
    }

    List<String> lineActions() {
        return lineActions;
    }

    @Override
    public void close() {
        conversation.stop("test over");
    }

    /** The caller made a sound now (what the VAD or energy stamps as the last speech). */
    void callerSound() {
        hearing.lastSpeech = clock.nanos();
    }

    /** The caller hears everything said so far: every segment sent, every mark echoed; then what that posts is handled. */
    void playAll() {
        for (var segment : voice.unsent()) {
            voice.send(segment);
        }
        for (var segment : voice.unechoed()) {
            voice.echo(segment);
        }
        drain();
    }

    /** An event of the current STT session, now. */
    void stt(SttEvent event) {
        handle(new CallEvent.Stt(1, event, clock.nanos()));
    }

    /** The end-of-turn thresholds the conversation asked the STT for, in order. */
    List<TurnThresholds> turnThresholds() {
        return List.copyOf(hearing.adjusted);
    }

    /** From now on the STT applies thresholds itself (as Flux does), or not (as Nova). */
    void sttAppliesThresholds(boolean applies) {
        hearing.applies = applies;
    }

    /** How many times the conversation opened a new STT session. */
    int sttReopens() {
        return hearing.reopens;
    }

    /** Whether the conversation has told the hearing side that the agent can be interrupted now. */
    boolean watched() {
        return hearing.watching;
    }

    /** An STT side with nothing to say: the tests speak by typed turns and events, and stamp the caller's sound. */
    private static final class QuietHearing implements Conversation.Hearing {
        long lastSpeech;
        boolean watching;
        boolean applies;
        int reopens;
        final List<TurnThresholds> adjusted = new ArrayList<>();

        public boolean adjustTurnEnd(TurnThresholds thresholds) {
            adjusted.add(thresholds);
            return applies;
        }

        public boolean current(CallEvent.Stt event) {
            return true;
        }

        public void reopen() {
            reopens++;
        }

        public void watch(boolean interruptible) {
            watching = interruptible;
        }

        public long lastSpeechNanos() {
            return lastSpeech;
        }

        public long audioMillis() {
            return 0;
        }

        public void close() {
        }
    }
}
