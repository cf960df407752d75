package dev.dialtone.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One of a flow's webhooks: the URL call events go to, which events, and the signing secret (empty:
 * sent unsigned). A secret written {@code ${NAME}} is read from the environment when the flow loads;
 * an unset variable is a warning at its line and leaves that webhook out (so a shipped example
 * still validates where the variable is not set).
 */
public record FlowWebhook(String url, List<String> events, Optional<String> secret) {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    public FlowWebhook {
        events = List.copyOf(events);
    }

    /** Read from a checked flow file; an item the schema refused is left out. */
    static List<FlowWebhook> read(YamlFields in, Map<String, String> env) {
        var out = new ArrayList<FlowWebhook>();
        for (var item : in.items(YamlFields.at("webhooks"))) {
            var url = in.text(item.appendProperty("url"));
            var events = new ArrayList<String>();
            in.items(item.appendProperty("events")).forEach(e -> in.text(e).ifPresent(events::add));
            if (url.isEmpty() || events.isEmpty()) {
                continue;
            }
            var secretAt = item.appendProperty("secret");
            Optional<String> secret = in.text(secretAt);
            if (secret.isPresent()) {
                var m = ENV.matcher(secret.get().strip());
                if (m.matches()) {
                    var value = env.get(m.group(1));
                    if (value == null || value.isEmpty()) {
                        in.warning(in.line(secretAt), "webhook " + url.get() + " is disabled: environment variable "
                                + m.group(1) + " is not set");
                        continue;
                    }
                    secret = Optional.of(value);
                }
            }
            out.add(new FlowWebhook(url.get(), events, secret));
        }
        return out;
    }
}
