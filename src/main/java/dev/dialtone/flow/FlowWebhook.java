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
    /** At most this many webhooks per flow, URLs and secrets at most this long. */
    static final int MAX_WEBHOOKS = 10;
    static final int MAX_URL = 2000;
    static final int MAX_SECRET = 200;
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    public FlowWebhook {
        events = List.copyOf(events);
    }

    /** Never the secret: a flow (and so this) may be printed in a log line or an error. */
    @Override
    public String toString() {
        return "FlowWebhook[url=" + url + ", events=" + events + ", secret=" + (secret.isPresent() ? "(set)" : "(none)") + "]";
    }

    /** Read from a checked flow file; an item the schema refused is left out. */
    static List<FlowWebhook> read(YamlFields in, Map<String, String> env) {
        var out = new ArrayList<FlowWebhook>();
        var items = in.items(YamlFields.at("webhooks"));
        if (items.size() > MAX_WEBHOOKS) {
            in.error(in.line(items.get(MAX_WEBHOOKS)), "a flow has at most " + MAX_WEBHOOKS + " webhooks");
            return out;
        }
        for (var item : items) {
            var url = in.text(item.appendProperty("url"));
            var events = new ArrayList<String>();
            in.items(item.appendProperty("events")).forEach(e -> in.text(e).ifPresent(events::add));
            if (url.isPresent() && url.get().length() > MAX_URL) {
                in.error(in.line(item.appendProperty("url")), "webhook url is longer than " + MAX_URL + " characters");
                continue;
            }
            if (url.isPresent() && in.has(item.appendProperty("events")) && events.isEmpty()) {
                in.error(in.line(item.appendProperty("events")), "webhook " + url.get() + " has no events (list at least one)");
                continue;
            }
            if (url.isEmpty() || events.isEmpty()) {
                continue;
            }
            var secretAt = item.appendProperty("secret");
            Optional<String> secret = in.text(secretAt);
            if (secret.isPresent() && secret.get().length() > MAX_SECRET) {
                in.error(in.line(secretAt), "webhook secret is longer than " + MAX_SECRET + " characters");
                continue;
            }
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
