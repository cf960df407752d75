package dev.dialtone.flowtest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.dialtone.plugin.FetchAnswers;

/**
 * A case's answers to the plugins' {@code call.http.fetch}, by "METHOD URL" exactly as the test file
 * writes them. Every request is kept (for the transcript), and one with no answer is kept apart too:
 * the plugin's fetch fails, and so does the case, since a test never reaches the network.
 * Called on plugin runner threads.
 */
final class CaseHttp implements FetchAnswers {
    private final Map<String, FlowTestFile.HttpAnswer> answers;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<String> unanswered = new CopyOnWriteArrayList<>();

    CaseHttp(Map<String, FlowTestFile.HttpAnswer> answers) {
        this.answers = Map.copyOf(answers);
    }

    @Override
    public Optional<Response> answer(Request request) {
        var key = request.method() + " " + request.url();
        asked.add(key + (request.body().isEmpty() ? "" : " " + request.body()));
        var answer = answers.get(key);
        if (answer == null) {
            unanswered.add(key);
            return Optional.empty();
        }
        return Optional.of(new Response(answer.status(), answer.headers(), answer.body()));
    }

    /** Every request the plugins made, with its body, in order. */
    List<String> asked() {
        return List.copyOf(asked);
    }

    /** Requests the case had no answer for. */
    List<String> unanswered() {
        return List.copyOf(unanswered);
    }
}
