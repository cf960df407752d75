package dev.dialtone.plugin;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-call key/value state: plugins write it ({@code call.state.x = ...}) and prompt templates read
 * it ({@code {{state.x}}}). Thread-safe, because plugins run on a runner thread while the
 * conversation thread reads it. Bounded so that a plugin cannot grow it without limit.
 */
public final class CallState {
    /** Most keys one call may hold. */
    public static final int MAX_KEYS = 200;
    /** Longest value, in characters. */
    public static final int MAX_VALUE_CHARS = 4_000;

    private final Map<String, String> values = new ConcurrentHashMap<>(); // any thread

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * Sets a value; a null value removes the key.
     *
     * @throws IllegalArgumentException when the key is blank, the value too long or the state full
     */
    public void put(String key, String value) {
        if (key == null || key.isBlank() || key.length() > 100) {
            throw new IllegalArgumentException("state keys must be 1-100 characters");
        }
        if (value == null) {
            values.remove(key);
            return;
        }
        if (value.length() > MAX_VALUE_CHARS) {
            throw new IllegalArgumentException("state value for '" + key + "' is longer than " + MAX_VALUE_CHARS + " characters");
        }
        if (!values.containsKey(key) && values.size() >= MAX_KEYS) {
            throw new IllegalArgumentException("call state is full (" + MAX_KEYS + " keys)");
        }
        values.put(key, value);
    }

    public void remove(String key) {
        values.remove(key);
    }

    /** A sorted copy, for templates and for the call record. */
    public Map<String, String> snapshot() {
        return Map.copyOf(new TreeMap<>(values));
    }
}
