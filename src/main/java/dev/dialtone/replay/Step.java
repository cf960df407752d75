package dev.dialtone.replay;

/** One thing the caller did on a stored call: said something (heard as text), or pressed keys. */
public sealed interface Step {
    /** How a transcript shows it: {@code caller: ...} or {@code caller presses ...}. */
    String describe();

    record Says(String text) implements Step {
        public String describe() {
            return "caller: " + text;
        }
    }

    record Keys(String keys) implements Step {
        public String describe() {
            return "caller presses " + keys;
        }
    }
}
