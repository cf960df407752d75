package dev.dialtone.llm.anthropic;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dialtone.llm.ChatRequest;

/** The JSON body the Anthropic client sends for a request, for tests outside its package. */
public final class AnthropicRequestBody {
    private AnthropicRequestBody() {
    }

    public static JsonNode of(ChatRequest request) {
        return AnthropicChatModel.body(request);
    }
}
