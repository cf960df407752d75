package dev.dialtone.llm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules every history sent to an LLM obeys, applied where each request is built: both the
 * OpenAI and the Anthropic API refuse the whole request (400, and every later one of the call,
 * since the history keeps the fault) when they are broken.
 * <ul>
 *   <li>no message without content: an empty caller or agent message is left out;</li>
 *   <li>every tool call is answered by exactly one result, in the order of the calls, in the
 *       messages right after the one that made it (a missing result is supplied as an error);</li>
 *   <li>no result without its call.</li>
 * </ul>
 * The conversation builds histories that already obey them; {@link #valid} is the last line of
 * defence, and says when it had to mend one (that is a bug to fix where the history was built).
 * Role order (Anthropic's alternation, its user-first rule) is each client's own encoding.
 */
public final class ChatHistory {
    private static final System.Logger LOG = System.getLogger(ChatHistory.class.getName());
    static final String MISSING_RESULT = "{\"error\":\"no result was recorded for this call\"}";

    private ChatHistory() {
    }

    /** The history with the rules applied; the same list when it already obeyed them. */
    public static List<ChatMessage> valid(List<ChatMessage> history) {
        var out = new ArrayList<ChatMessage>(history.size());
        int mended = 0;
        int i = 0;
        while (i < history.size()) {
            var message = history.get(i++);
            switch (message) {
                case ChatMessage.User user -> {
                    if (user.text().isBlank()) {
                        mended++;
                    } else {
                        out.add(user);
                    }
                }
                case ChatMessage.Assistant assistant when assistant.toolCalls().isEmpty() -> {
                    if (assistant.text().isBlank()) {
                        mended++;
                    } else {
                        out.add(assistant);
                    }
                }
                case ChatMessage.Assistant assistant -> {
                    out.add(assistant);
                    var results = new LinkedHashMap<String, ChatMessage.ToolResult>();
                    int run = 0;
                    while (i < history.size() && history.get(i) instanceof ChatMessage.ToolResult result) {
                        results.putIfAbsent(result.callId(), result);
                        run++;
                        i++;
                    }
                    var answered = answer(assistant, results);
                    if (!answered.equals(history.subList(i - run, i))) {
                        mended++;
                    }
                    out.addAll(answered);
                }
                case ChatMessage.ToolResult orphan -> mended++;
            }
        }
        if (mended == 0) {
            return history;
        }
        LOG.log(System.Logger.Level.WARNING, "A chat history broke the LLM APIs'' rules in {0} place(s) and was mended", mended);
        return List.copyOf(out);
    }

    /** One result per call of {@code assistant}, in the order of its calls. */
    private static List<ChatMessage.ToolResult> answer(ChatMessage.Assistant assistant,
                                                        Map<String, ChatMessage.ToolResult> results) {
        var out = new ArrayList<ChatMessage.ToolResult>();
        for (var call : assistant.toolCalls()) {
            var result = results.get(call.id());
            out.add(result != null ? result : new ChatMessage.ToolResult(call.id(), call.name(), MISSING_RESULT, true));
        }
        return out;
    }
}
