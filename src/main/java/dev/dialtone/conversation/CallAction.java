package dev.dialtone.conversation;

import java.util.Optional;

import dev.dialtone.flow.Collect;
import dev.dialtone.flow.TransferSpec;

/** What a tool, a DTMF route or an operator can ask a call to do. */
public sealed interface CallAction {

    /** Speak this text verbatim. */
    record Say(String text) implements CallAction {
    }

    /**
     * Transfer the caller to an E.164 number, as {@code spec} says (a DTMF route's); without one, a
     * transfer to the flow's transfer_to number follows its settings, any other is cold.
     */
    record Transfer(String number, Optional<TransferSpec> spec) implements CallAction {
        public Transfer(String number) {
            this(number, Optional.empty());
        }
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
