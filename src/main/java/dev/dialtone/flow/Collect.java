package dev.dialtone.flow;

import java.time.Duration;
import java.util.Optional;

/**
 * Keypad (or spoken) digits a node collects into the call's state: between {@code minDigits} and
 * {@code maxDigits} digits, ended early by the {@code finishOn} key, each key (and the first) awaited
 * at most {@code timeout}; the {@code prompt} asks for them, the {@code reprompt} asks again after a
 * time-out or too few digits, {@code attempts} times in all. A {@code mask}ed value reaches neither
 * the LLM nor the record: both see {@code ****} and its last four digits.
 */
public record Collect(int minDigits, int maxDigits, Optional<String> finishOn, Duration timeout, String into,
                      boolean mask, Optional<Template> prompt, Optional<Template> reprompt, int attempts) {
    /** The most digits one collection takes (the schema's bound too). */
    public static final int MAX_DIGITS = 32;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(8);
    public static final int DEFAULT_ATTEMPTS = 3;

    public Collect {
        if (minDigits < 1 || maxDigits < minDigits || maxDigits > MAX_DIGITS) {
            throw new IllegalArgumentException("digits must be 1 to " + MAX_DIGITS + ", the least first");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }

    /** What the collect_digits tool asks for: masked, ended by #, the default time-out and attempts. */
    public static Collect byTool(String into, int minDigits, int maxDigits, Optional<String> prompt) {
        return new Collect(minDigits, maxDigits, Optional.of("#"), DEFAULT_TIMEOUT, into, true,
                           prompt.map(Template::of), Optional.empty(), DEFAULT_ATTEMPTS);
    }
}
