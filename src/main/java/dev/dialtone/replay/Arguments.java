package dev.dialtone.replay;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.dialtone.net.Json;

/** Tool arguments in one form, so the stored call's and the replay's compare by content, not spacing. */
final class Arguments {
    private Arguments() {
    }

    static String compact(String json) {
        if (json == null || json.isBlank()) {
            return "{}";
        }
        try {
            return Json.write(Json.read(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }
}
