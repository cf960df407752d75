package dev.dialtone.flow;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Text with placeholders, parsed once when the flow loads: {@code {{call.from}}}, {@code {{call.to}}},
 * {@code {{state.key}}} (empty when the call has no such key yet) and {@code {{now}}} (weekday, date
 * and time in the flow's time zone). Unknown placeholders are load errors, so rendering cannot fail.
 */
public final class Template {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern STATE_KEY = Pattern.compile("state\\.([A-Za-z_][A-Za-z0-9_]*)");
    private static final DateTimeFormatter NOW = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm zzz", Locale.ENGLISH);

    private sealed interface Part {
        record Text(String text) implements Part {
        }

        record From() implements Part {
        }

        record To() implements Part {
        }

        record Now() implements Part {
        }

        record State(String key) implements Part {
        }
    }

    private final String text;
    private final List<Part> parts;

    private Template(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** A template with no placeholders to check (or an already checked one). */
    public static Template of(String text) {
        return parse(text, new ArrayList<>());
    }

    /** Parses {@code text}; each unknown placeholder is added to {@code unknown} and rendered as empty. */
    static Template parse(String text, List<String> unknown) {
        var parts = new ArrayList<Part>();
        var m = PLACEHOLDER.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(new Part.Text(text.substring(at, m.start())));
            }
            var name = m.group(1);
            var state = STATE_KEY.matcher(name);
            switch (name) {
                case "call.from" -> parts.add(new Part.From());
                case "call.to" -> parts.add(new Part.To());
                case "now" -> parts.add(new Part.Now());
                default -> {
                    if (state.matches()) {
                        parts.add(new Part.State(state.group(1)));
                    } else {
                        unknown.add(name);
                    }
                }
            }
            at = m.end();
        }
        if (at < text.length()) {
            parts.add(new Part.Text(text.substring(at)));
        }
        return new Template(text, parts);
    }

    /** The text as written in the flow file. */
    public String text() {
        return text;
    }

    public String render(TemplateValues values) {
        var out = new StringBuilder(text.length() + 64);
        for (var part : parts) {
            switch (part) {
                case Part.Text t -> out.append(t.text());
                case Part.From f -> out.append(values.from());
                case Part.To t -> out.append(values.to());
                case Part.Now n -> out.append(NOW.format(values.now()));
                case Part.State s -> out.append(values.state().getOrDefault(s.key(), ""));
            }
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
