package dev.dialtone.flow;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How messages name a place in a flow file, from its JSON pointer: "the flow", "turn", "max_call_s",
 * "llm max_tokens", "anthropic temperature", "a number", "node greet say", "dtmf 5 transfer". The
 * same words whether the schema or the parser finds the problem.
 */
final class FlowPaths {
    /** These names, for {@link YamlDocument}. */
    static final YamlDocument.Names NAMES = new YamlDocument.Names() {
        @Override
        public String what(JsonPointer at, JsonNode root) {
            return FlowPaths.what(at, root);
        }

        @Override
        public String keyWhat(JsonPointer at, JsonNode root) {
            return FlowPaths.keyWhat(at, root);
        }
    };

    private FlowPaths() {
    }

    /** The keys (and list indexes, as text) from the root down to {@code at}. */
    static List<String> segments(JsonPointer at) {
        var out = new ArrayList<String>();
        for (var p = at; !p.matches(); p = p.tail()) {
            out.add(p.getMatchingProperty());
        }
        return out;
    }

    /** The value at {@code at}, named for a message; {@code root} names a temperature after its provider, whose range it is. */
    static String what(JsonPointer at, JsonNode root) {
        var s = segments(at);
        if (s.isEmpty()) {
            return "the flow";
        }
        var top = s.getFirst();
        var last = s.getLast();
        if (s.size() == 1) {
            return top;
        }
        return switch (top) {
            case "numbers" -> "a number";
            case "tools" -> "a tool name";
            case "turn" -> last;
            case "dtmf" -> "dtmf " + String.join(" ", s.subList(1, s.size()));
            case "nodes" -> switch (s.size()) {
                case 2 -> "node " + s.get(1);
                case 3 -> "node " + s.get(1) + " " + last;
                default -> switch (s.get(2)) {
                    case "tools" -> "a tool name";
                    case "next" -> "the condition of node " + s.get(1) + " -> " + last;
                    default -> String.join(" ", s);
                };
            };
            case "stt", "llm", "tts" -> {
                if (s.size() > 2) {
                    yield s.get(1).equals("keyterms") ? "a keyterm" : String.join(" ", s);
                }
                var provider = root.path(top).path("provider").asText();
                yield last.equals("temperature") && FlowSchema.providers(top).contains(provider) ? provider + " temperature" : top + " " + last;
            }
            default -> String.join(" ", s);
        };
    }

    /** The keys of the mapping at {@code at}, named for a message about a key's spelling. */
    static String keyWhat(JsonPointer at, JsonNode root) {
        return switch (String.join("/", segments(at))) {
            case "nodes" -> "node name";
            case "dtmf" -> "dtmf key";
            default -> "a key of " + what(at, root);
        };
    }
}
