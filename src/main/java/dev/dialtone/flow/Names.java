package dev.dialtone.flow;

import java.util.Collection;
import java.util.Comparator;

/** "Did you mean" hints: the closest known name within a small edit distance, or one the given name begins. */
public final class Names {
    private Names() {
    }

    /** {@code " (did you mean 'x'?)"} when a known name is close to {@code given}, else empty. */
    public static String didYouMean(String given, Collection<String> known) {
        int limit = Math.max(1, Math.min(3, given.length() / 3));
        var g = given.toLowerCase();
        return known.stream()
                .filter(k -> distance(g, k.toLowerCase()) <= limit
                        || g.length() >= 4 && (k.toLowerCase().startsWith(g) || g.startsWith(k.toLowerCase())))
                .min(Comparator.comparingInt(k -> distance(g, k.toLowerCase())))
                .map(k -> " (did you mean '" + k + "'?)")
                .orElse("");
    }

    static int distance(String a, String b) {
        var prev = new int[b.length() + 1];
        var cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            var t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
