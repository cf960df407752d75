package dev.dialtone.flowtest;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;

/**
 * Judges a rubric ("asked for the ZIP code before checking the delivery area") on a case's
 * transcript with the flow's own LLM: a request with a judging prompt, answered PASS or FAIL with a
 * reason. It goes through the same {@link CassetteModel} as the call's requests, so it is recorded
 * and replayed like them.
 */
final class Judge {
    static final String PROMPT = """
            You check transcripts of phone calls between a caller and a voice agent against one \
            requirement. Judge only what the transcript shows. Answer with PASS or FAIL as the first \
            word, then one short sentence saying why.""";
    private static final int MAX_TOKENS = 200;

    private Judge() {
    }

    /**
     * Why the rubric fails, or empty when the judge passes it. A judge that cannot answer (no
     * recording, a provider failure, an answer that is neither) fails it, saying so.
     */
    static Optional<String> failure(ChatModel llm, FlowVersion flow, String transcript, String rubric, Duration patience)
            throws InterruptedException {
        var block = flow.flow().llm();
        var request = new ChatRequest(block.model().orElse(ProviderCatalog.defaultModel(block.provider())), Optional.empty(),
                Optional.of(MAX_TOKENS), PROMPT,
                List.of(new ChatMessage.User("Transcript:\n" + transcript + "\n\nRequirement: " + rubric)), List.of());
        var text = new StringBuilder();
        var failed = new AtomicReference<String>();
        var done = new CountDownLatch(1);
        var stream = llm.stream(request, event -> {
            switch (event) {
                case ChatEvent.TextDelta delta -> {
                    synchronized (text) {
                        text.append(delta.text());
                    }
                }
                case ChatEvent.Done end -> done.countDown();
                case ChatEvent.Failed failure -> {
                    failed.set(failure.error().message());
                    done.countDown();
                }
                case ChatEvent.ToolCallReady call -> {
                    // no tools are offered
                }
            }
        });
        if (!done.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            stream.cancel();
            return Optional.of("rubric \"" + rubric + "\": the judge did not answer within " + patience.toSeconds() + " s");
        }
        if (failed.get() != null) {
            return Optional.of("rubric \"" + rubric + "\": the judge could not answer: " + failed.get());
        }
        String answer;
        synchronized (text) {
            answer = text.toString().strip();
        }
        var verdict = answer.split("[^A-Za-z]", 2)[0].toUpperCase(Locale.ROOT);
        return switch (verdict) {
            case "PASS" -> Optional.empty();
            case "FAIL" -> Optional.of("rubric \"" + rubric + "\" failed: " + answer.substring(4).replaceFirst("^[\\s:.,-]+", ""));
            default -> Optional.of("rubric \"" + rubric + "\": the judge answered neither PASS nor FAIL: " + answer);
        };
    }
}
