package dev.dialtone.conversation;

import dev.dialtone.flow.Collect;

/** What a tool, a DTMF route or an operator can ask a call to do. */
public sealed interface CallAction {

    /** Speak this text verbatim. */
    record Say(String text) implements CallAction {
    }

    /** Transfer the caller to an E.164 number. */
    record Transfer(String number) implements CallAction {
    }

    /** End the call (after a goodbye). */
    record HangUp(String reason) implements CallAction {
    }

    /** Move the conversation to a node of the flow. */
    record GoTo(String node) implements CallAction {
    }

    /** Collect digits into the call's state (the collect_digits tool). */
    record CollectDigits(Collect collect) implements CallAction {
    }
}
