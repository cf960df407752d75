package dev.dialtone.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dialtone.llm.ChatRequest;

/** The JSON body the OpenAI client sends for a request, for tests outside its package. */
public final class OpenAiRequestBody {
    private OpenAiRequestBody() {
    }

    public static JsonNode of(ChatRequest request) {
        return OpenAiChatModel.body(request, OpenAiChatModel.TokenLimit.MAX_COMPLETION_TOKENS);
    }
}
