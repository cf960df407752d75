package dev.dialtone.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.store.CallDetail;
import dev.dialtone.store.CallEnd;
import dev.dialtone.store.CallStart;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.CallSummary;
import dev.dialtone.store.Direction;
import dev.dialtone.store.EventKind;
import dev.dialtone.store.EventRecord;
import dev.dialtone.store.StoreSettings;
import dev.dialtone.store.TurnRecord;
import dev.dialtone.store.TurnTimings;

/**
 * Replays with the real flow registry, plugin runtime and store (H2), and an LLM in memory that
 * answers from the request: a draft file answers with its own prompt; a draft that does not load is
 * refused with file:line; a stored call's keys, keyed turns and node changes become its steps in
 * order; the limits (replays at once, steps replayed) are enforced and counted.
 */
class ReplaysTest {
    static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");
    static final String FLOW = """
            name: shop
            default: true
            greeting: Tea shop, hello.
            prompt: You sell tea.
            llm: { provider: openai, model: gpt-4o-mini }
            """;

    @TempDir
    static Path dir;
    static PluginRuntime plugins;
    static FlowRegistry flows;
    static CallStore store;
    static String live;

    /** Answers each request with {@code answer(request)}, at once; waits for {@code gate} first when one is set. */
    static final class Answers implements ChatModel {
        final Function<ChatRequest, String> answer;
        volatile CountDownLatch gate;
        final CountDownLatch asked = new CountDownLatch(Replays.MAX_AT_ONCE); // requests seen, up to MAX_AT_ONCE

        Answers(Function<ChatRequest, String> answer) {
            this.answer = answer;
        }

        @Override
        public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
            asked.countDown();
            var wait = gate;
            if (wait != null) {
                try {
                    wait.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            listener.accept(new ChatEvent.TextDelta(answer.apply(request)));
            listener.accept(new ChatEvent.Done("stop", ChatEvent.Usage.NONE));
            return () -> { };
        }
    }

    /** "PROMPT / LAST CALLER WORDS", so a changed prompt shows in the agent's words. */
    static final Answers ECHO = new Answers(r -> r.systemPrompt().lines().findFirst().orElse("") + " / "
            + r.history().stream().filter(m -> m instanceof ChatMessage.User).map(m -> ((ChatMessage.User) m).text())
                    .reduce((a, b) -> b).orElse(""));

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/shop.yaml"), FLOW);
        plugins = new PluginRuntime(PluginSettings.none());
        flows = new FlowRegistry(dir.resolve("flows"), dir.resolve("plugins"), plugins, Set.of("openai"), new SimpleMeterRegistry(),
                                 Clock.systemUTC());
        assertThat(flows.reload().applied()).isTrue();
        live = flows.byName("shop").orElseThrow().hash();
        store = CallStore.open(StoreSettings.defaults().withUrl("jdbc:h2:file:" + dir.resolve("db") + "/dialtone")
                .withRetention(Duration.ZERO), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        flows.close();
        plugins.close();
        store.close();
    }

    static Replays replays(ChatModel llm, SimpleMeterRegistry meters) {
        return new Replays(flows, store, Map.of("openai", llm), plugins, dir.resolve("flows"), dir.resolve("plugins"),
                           Set.of("openai"), meters, Duration.ofSeconds(10));
    }

    static void storeCall(String sid, List<String> callerTurns, List<String> agentTurns) {
        var recorder = store.recorder();
        recorder.callStarted(new CallStart(sid, "shop", live, "+15551230000", "+15550001111", Direction.INBOUND, T0));
        recorder.turnCompleted(new TurnRecord(sid, 0, "", "Tea shop, hello.", false, TurnTimings.NONE, List.of()));
        for (int i = 0; i < callerTurns.size(); i++) {
            recorder.turnCompleted(new TurnRecord(sid, i + 1, callerTurns.get(i), agentTurns.get(i), false, TurnTimings.NONE, List.of()));
        }
        recorder.callEnded(new CallEnd(sid, T0.plusSeconds(60), "caller hung up", CallStatus.COMPLETED));
        var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.findCall(sid).map(c -> c.summary().endedAt() == null || c.turns().size() < callerTurns.size() + 1).orElse(true)) {
            assertThat(System.nanoTime()).as("the call is stored").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aDraftAnswersWithItsOwnPromptAndTheChangedTurnsAreMarked() throws Exception {
        storeCall("CA-draft", List.of("Green tea?"), List.of("You sell tea. / Green tea?"));
        Files.writeString(dir.resolve("flows/shop.draft.yaml"), FLOW.replace("You sell tea.", "You sell green tea only."));
        try {
            var replay = replays(ECHO, new SimpleMeterRegistry()).replay("CA-draft", new Replays.Target.Draft(null));
            assertThat(replay.replay().label()).isEqualTo("draft");
            assertThat(replay.replay().version()).isNotEqualTo(live);
            assertThat(replay.rows()).extracting(Replay.Row::differences).containsExactly(List.of(), List.of("agent"));
            assertThat(replay.rows().get(1).replay().agent()).isEqualTo("You sell green tea only. / Green tea?");

            var same = replays(ECHO, new SimpleMeterRegistry()).replay("CA-draft", new Replays.Target.Live(null));
            assertThat(same.differs()).isFalse();

            Files.writeString(dir.resolve("flows/shop.draft.yaml"), FLOW.replace("llm:", "llm_typo:"));
            assertThatThrownBy(() -> replays(ECHO, new SimpleMeterRegistry()).replay("CA-draft", new Replays.Target.Draft(null)))
                    .isInstanceOfSatisfying(ReplayException.class, e -> assertThat(e.kind()).isEqualTo(ReplayException.Kind.INVALID))
                    .hasMessageContaining("the draft of shop does not load: shop.draft.yaml:");
        } finally {
            Files.delete(dir.resolve("flows/shop.draft.yaml"));
        }
    }

    @Test
    void keysKeyedTurnsAndNodeChangesBecomeStepsInTimeOrder() {
        var summary = new CallSummary("CA-keys", "shop", live, "+1", "+2", Direction.INBOUND, T0, T0.plusSeconds(60), "hung up",
                                      CallStatus.COMPLETED, 5);
        IntFunction<Instant> at = s -> T0.plusSeconds(s);
        var call = new CallDetail(summary, List.of(
                new TurnRecord("CA-keys", 0, "", "Hello.", false, TurnTimings.NONE, List.of(), at.apply(0)),
                new TurnRecord("CA-keys", 1, "Billing please", "Press 2.", false, TurnTimings.NONE, List.of(), at.apply(5)),
                // the line of the node the key led to begins at the key's instant
                new TurnRecord("CA-keys", 2, "", "You are through to billing.", false, TurnTimings.NONE, List.of(), at.apply(10)),
                new TurnRecord("CA-keys", 3, "(The caller pressed 1234 on the keypad.)", "Thanks, account 1234.", false,
                               TurnTimings.NONE, List.of(), at.apply(20)),
                // stored without a start (an older call): it follows what came before it
                new TurnRecord("CA-keys", 4, "Bye", "Goodbye.", false, TurnTimings.NONE, List.of())),
                List.of(new EventRecord("CA-keys", at.apply(10), EventKind.DTMF, "2"),
                        new EventRecord("CA-keys", at.apply(10), EventKind.NODE_CHANGE, "billing"),
                        new EventRecord("CA-keys", at.apply(30), EventKind.HANGUP, "caller")),
                List.of());

        var exchanges = StoredCall.exchanges(call);
        assertThat(StoredCall.steps(exchanges)).containsExactly(new Step.Says("Billing please"), new Step.Keys("2"), new Step.Keys("1234"),
                                                                new Step.Says("Bye"));
        assertThat(exchanges).extracting(Exchange::agent)
                .containsExactly("Hello.", "Press 2.", "You are through to billing.", "Thanks, account 1234.", "Goodbye.");
        assertThat(exchanges).extracting(Exchange::nodes).containsExactly(List.of(), List.of(), List.of("billing"), List.of(), List.of());
    }

    @Test
    void replaysAtOnceAndStepsReplayedAreBoundedAndCounted() throws Exception {
        var many = new ArrayList<String>();
        for (int i = 0; i < Replays.MAX_STEPS + 3; i++) {
            many.add("turn " + i);
        }
        storeCall("CA-long", many, many);
        var meters = new SimpleMeterRegistry();
        var fast = replays(new Answers(r -> "ok"), meters).replay("CA-long", new Replays.Target.Live(null));
        assertThat(fast.rows()).hasSize(Replays.MAX_STEPS + 1);
        assertThat(meters.counter("dialtone.replay.cut").count()).isEqualTo(1.0);

        storeCall("CA-short", List.of("hi"), List.of("hello"));
        var slow = new Answers(r -> "hello");
        slow.gate = new CountDownLatch(1);
        var replays = replays(slow, meters);
        var running = new ArrayList<Thread>();
        for (int i = 0; i < Replays.MAX_AT_ONCE; i++) {
            running.add(Thread.ofVirtual().start(() -> {
                try {
                    replays.replay("CA-short", new Replays.Target.Live(null));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        slow.asked.await(); // both replays wait for the LLM
        assertThatThrownBy(() -> replays.replay("CA-short", new Replays.Target.Live(null)))
                .isInstanceOfSatisfying(ReplayException.class, e -> assertThat(e.kind()).isEqualTo(ReplayException.Kind.BUSY));
        assertThat(meters.counter("dialtone.replay.refused").count()).isEqualTo(1.0);
        slow.gate.countDown();
        for (var t : running) {
            t.join();
        }
    }
}
