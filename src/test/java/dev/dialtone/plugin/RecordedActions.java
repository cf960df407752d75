package dev.dialtone.plugin;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the actions a tool posts, in order, as "say:text", "transfer:+1...", "hangup", "goto:node", "collect:into:min-max:prompt". */
public final class RecordedActions implements CallActions {
    private final List<String> actions = new CopyOnWriteArrayList<>(); // any thread
    private final Runnable onSay;

    public RecordedActions() {
        this(() -> { });
    }

    /** Also runs {@code onSay} at each {@code say} (on the plugin's runner thread, inside the run). */
    public RecordedActions(Runnable onSay) {
        this.onSay = onSay;
    }

    @Override
    public void say(String text) {
        actions.add("say:" + text);
        onSay.run();
    }

    @Override
    public void transfer(String number) {
        actions.add("transfer:" + number);
    }

    @Override
    public void hangup() {
        actions.add("hangup");
    }

    @Override
    public void goTo(String node) {
        actions.add("goto:" + node);
    }

    @Override
    public void collectDigits(String into, int minDigits, int maxDigits, String prompt) {
        actions.add("collect:" + into + ":" + minDigits + "-" + maxDigits + ":" + prompt);
    }

    public List<String> all() {
        return List.copyOf(actions);
    }
}
