package dev.dialtone.flow;

import java.time.ZonedDateTime;
import java.util.Map;

/** What a {@link Template} can fill in: the caller's and called numbers, the call's state, and the time. */
public record TemplateValues(String from, String to, Map<String, String> state, ZonedDateTime now) {
    public TemplateValues {
        state = Map.copyOf(state);
    }
}
