package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;

/**
 * Random calls: caller turns and barge-ins at random points of replies, LLM rounds with text,
 * parallel tool calls and empty replies, tools finishing in random order, audio sent and heard at
 * random pace. Every request the conversation makes must be one both LLM APIs accept, as built
 * (nothing for the clients to mend), and every caller turn must find no word of the agent's in the
 * history that never reached the line.
 * Each seed replays exactly; a failure names its seed.
 */
class HistoryPropertyTest {
    private static final int CALLS = 150;
    private static final int STEPS = 60;
    private static HarnessFlow flow;

    @BeforeAll
    static void loadFlow(@TempDir Path dir) throws Exception {
        flow = new HarnessFlow(dir, "openai", "turn: { silence_reprompt_s: 30 }\n");
    }

    @AfterAll
    static void closeFlow() {
        flow.close();
    }

    @Test
    void everyRequestOfARandomCallIsValidForBothApisAndHoldsOnlyWhatWasSent() throws Exception {
        int requests = 0;
        for (long seed = 1; seed <= CALLS; seed++) {
            requests += playCall(seed);
        }
        assertThat(requests).as("requests checked").isGreaterThan(CALLS * 5);
    }

    /** Plays one random call; returns how many LLM requests it checked. */
    private int playCall(long seed) throws Exception {
        flow.reset();
        var random = new Random(seed);
        var llm = new ScriptedChatModel();
        var words = new Words();
        var sentWords = new HashSet<String>();
        var round = new ArrayList<String>();   // keys of the tool calls the open stream made
        var running = new ArrayList<String>(); // keys of tool calls that run (their round finished)
        ScriptedChatModel.Stream roundStream = null;
        try (var call = new ConversationHarness(flow, llm)) {
            llm.afterEvent(call::drain);
            call.start();
            for (int step = 0; step < STEPS; step++) {
                var stream = llm.open();
                if (stream != roundStream) {
                    round.clear(); // a new round, or the last one was cut: its calls were never made
                    roundStream = stream;
                }
                int action = random.nextInt(10);
                switch (action) {
                    case 0 -> call.callerSays(words.next(1 + random.nextInt(3)));
                    case 1 -> call.handle(new CallEvent.CallerSpeaking(call.clock.nanos(), call.clock.nanos()));
                    case 2, 3 -> {
                        if (stream != null) {
                            stream.text(words.next(1 + random.nextInt(4)) + (random.nextBoolean() ? ". " : " "));
                        }
                    }
                    case 4 -> {
                        if (stream != null && random.nextInt(3) == 0) {
                            var key = "k" + seed + "-" + step;
                            stream.toolCall("call_" + key, HarnessFlow.TOOLS.get(random.nextInt(2)), key);
                            round.add(key);
                        }
                    }
                    case 5 -> {
                        if (stream != null) {
                            stream.done();
                            awaitStarted(round);
                            running.addAll(round);
                            round.clear();
                        }
                    }
                    case 6 -> {
                        var unsent = call.voice.unsent();
                        if (!unsent.isEmpty()) {
                            var segment = unsent.getFirst();
                            call.voice.send(segment);
                            sentWords.addAll(List.of(segment.text.split("\\s+")));
                        }
                    }
                    case 7 -> {
                        var unechoed = call.voice.unechoed();
                        if (!unechoed.isEmpty()) {
                            call.voice.echo(unechoed.getFirst());
                            call.drain();
                        }
                    }
                    case 8 -> {
                        if (!running.isEmpty()) {
                            var key = running.get(random.nextInt(running.size()));
                            running.remove(key);
                            call.finishTool(key);
                        }
                    }
                    default -> {
                        call.clock.advance(Duration.ofMillis(random.nextInt(1500)));
                        call.drain();
                    }
                }
            }
            call.callerSays(words.next(2)); // a last turn, so the history at the end is sent too
        }
        for (var request : llm.requests) {
            try {
                HeardHistoryTest.assertAcceptedByBothApis(request);
                assertOnlySentWords(request, sentWords);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", request " + llm.requests.indexOf(request) + ": "
                                         + request.history() + "\n" + e.getMessage(), e);
            }
        }
        return llm.requests.size();
    }

    /** Tool calls of a round that just finished start on their own threads: wait until they run. */
    private static void awaitStarted(List<String> keys) throws InterruptedException {
        for (int i = 0; i < 1000 && !keys.stream().allMatch(flow::started); i++) {
            Thread.sleep(10);
        }
    }

    /**
     * A request that answers the caller holds only words that reached the line. (Within a reply, the
     * request after a tool round holds that round's text while it is still being spoken: it is
     * what the agent is saying, and a barge-in cuts it to what was heard.)
     */
    private static void assertOnlySentWords(ChatRequest request, Set<String> sentWords) {
        if (!(request.history().getLast() instanceof ChatMessage.User)) {
            return;
        }
        for (var message : request.history()) {
            if (message instanceof ChatMessage.Assistant assistant && !assistant.text().isBlank()) {
                assertThat(sentWords).as("words of the agent that reached the line")
                                     .containsAll(List.of(assistant.text().split("\\s+")));
            }
        }
    }

    /** Words that occur once in a call, so that each can be traced to the segment that said it. */
    private static final class Words {
        private int next;

        String next(int count) {
            var out = new StringBuilder();
            for (int i = 0; i < count; i++) {
                out.append(i == 0 ? "" : " ").append("w").append(next++);
            }
            return out.toString();
        }
    }
}
