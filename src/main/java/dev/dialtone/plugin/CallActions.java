package dev.dialtone.plugin;

/**
 * Actions a tool asks the conversation to carry out. The conversation implements this; tools only
 * post requests, and the conversation executes them on its own thread after the tool returns.
 * Implementations must be thread-safe and must not block (plugins call them from a runner thread).
 */
public interface CallActions {

    /** Speak this text verbatim. */
    void say(String text);

    /** Transfer the caller to this E.164 number. */
    void transfer(String number);

    /** End the call. */
    void hangup();

    /** Move the conversation to this node of the flow. */
    void goTo(String node);

    /**
     * Collect between {@code minDigits} and {@code maxDigits} digits from the keypad (or spoken) into
     * the call's state key {@code into}, masked, after saying {@code prompt} if there is one.
     */
    void collectDigits(String into, int minDigits, int maxDigits, String prompt);
}
