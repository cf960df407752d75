package dev.dialtone.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeOpenAi;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.openai.OpenAiChatModel;

/**
 * Cancel latency before the first token ({@code bin/dialtone bench cancel [N]}): the time from an
 * LLM stream's cancel to the fake provider seeing its connection close (the fake's own record),
 * at the two moments a barge-in can meet before any token: while the request waits for the
 * response head, and between the head and the first token. N cancels of each (default 200), one
 * at a time, after as many unrecorded ones to warm the JIT. Prints p50 / p99 / max in microseconds.
 */
public final class CancelBench {
    private static final Duration PROVIDER_WAIT = Duration.ofSeconds(2);

    private CancelBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        System.out.printf(Locale.ROOT, "Cancel before the first token; %d cancels each; µs from cancel() to the fake "
                + "seeing the connection close%n", n);
        System.out.println("| moment | p50 | p99 | max |");
        System.out.println("|---|---:|---:|---:|");
        try (var fake = FakeOpenAi.start("k")) {
            var model = new OpenAiChatModel(fake.baseUrl(), "k", Duration.ofSeconds(2), Duration.ofSeconds(10));
            fake.headerDelay(PROVIDER_WAIT);
            measure(fake, model, n, false);
            print("waiting for the response head", measure(fake, model, n, false));
            fake.headerDelay(Duration.ZERO).timeToFirstToken(PROVIDER_WAIT);
            measure(fake, model, n, true);
            print("head received, no token yet", measure(fake, model, n, true));
        }
        System.exit(0);
    }

    /** N streams, each cancelled once the fake has the request (and, if asked, the client the head). */
    private static List<Long> measure(FakeLlmServer fake, OpenAiChatModel model, int n, boolean afterHead)
            throws InterruptedException {
        var request = new ChatRequest("gpt-4o-mini", Optional.empty(), Optional.empty(), "Be brief.",
                                      List.of(new ChatMessage.User("hi")), List.of());
        var micros = new ArrayList<Long>();
        for (int i = 0; i < n; i++) {
            var stream = model.stream(request, event -> { });
            var received = fake.awaitRequest(5000);
            if (afterHead) {
                Thread.sleep(20); // the head goes out at once; let it reach the client
            }
            long cancelled = System.nanoTime();
            stream.cancel();
            if (!received.awaitClientClose(5000)) {
                throw new AssertionError("the fake never saw the connection close");
            }
            micros.add((received.clientClosedNanos() - cancelled) / 1000);
        }
        Collections.sort(micros);
        return micros;
    }

    private static void print(String moment, List<Long> sorted) {
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d |%n", moment, sorted.get(sorted.size() / 2),
                          sorted.get((int) Math.round(0.99 * (sorted.size() - 1))), sorted.getLast());
    }
}
