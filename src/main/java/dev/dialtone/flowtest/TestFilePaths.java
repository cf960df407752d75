package dev.dialtone.flowtest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

import dev.dialtone.flow.YamlDocument;

/**
 * How messages name a place in a test file, from its JSON pointer: "the test file", "case 'quotes a
 * price'", "case 'quotes a price' turn 2 expect node", "case 'quotes a price' http". A case is
 * named by its name when it has one, else by its number.
 */
final class TestFilePaths {
    static final YamlDocument.Names NAMES = new YamlDocument.Names() {
        @Override
        public String what(JsonPointer at, JsonNode root) {
            return TestFilePaths.what(at, root);
        }

        @Override
        public String keyWhat(JsonPointer at, JsonNode root) {
            var s = segments(at);
            return !s.isEmpty() && s.getLast().equals("http") ? "the request of " + what(at, root) : "a key of " + what(at, root);
        }
    };

    private TestFilePaths() {
    }

    static String what(JsonPointer at, JsonNode root) {
        var s = segments(at);
        if (s.isEmpty()) {
            return "the test file";
        }
        if (!s.getFirst().equals("cases") || s.size() == 1) {
            return words(s);
        }
        int index = Integer.parseInt(s.get(1));
        var name = root.path("cases").path(index).path("name");
        var out = new StringBuilder(name.isTextual() ? "case '" + name.textValue() + "'" : "case " + (index + 1));
        var rest = s.subList(2, s.size());
        if (rest.size() >= 2 && rest.getFirst().equals("turns")) {
            out.append(" turn ").append(Integer.parseInt(rest.get(1)) + 1);
            rest = rest.subList(2, rest.size());
        }
        if (!rest.isEmpty()) {
            out.append(' ').append(words(rest));
        }
        return out.toString();
    }

    /** The keys from the root down to {@code at} (list indexes as text). */
    private static List<String> segments(JsonPointer at) {
        var out = new ArrayList<String>();
        for (var p = at; !p.matches(); p = p.tail()) {
            out.add(p.getMatchingProperty());
        }
        return out;
    }

    /** Keys as words; a list item by its number from 1. */
    private static String words(List<String> segments) {
        return String.join(" ", segments.stream().map(k -> k.matches("\\d+") ? "#" + (Integer.parseInt(k) + 1) : k).toList());
    }
}
