package dev.dialtone.conversation;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises a call screener (a phone's assistant that answers for its owner: "Hi, the person you
 * are calling is using a screening service. Please say your name and why you are calling.") by
 * what it says, so that the flow's screening line answers it rather than the LLM.
 */
final class Screening {
    /** Only a turn this short is looked at: a screener's question is a sentence or two. */
    static final int MAX_CHARS = 400;
    private static final Pattern ASKS = Pattern.compile(
            "\\b(who(?:'s| is) calling|(?:say|state) (?:your )?name|(?:why|what) (?:you(?:'re| are) calling|are you calling)"
            + "|reason for (?:your|the|this) call|what(?:'s| is) (?:this|the call) (?:about|regarding)"
            + "|screening service|call(?:ing)? assist|google assistant|record your name)\\b");

    private Screening() {
    }

    static boolean asks(String callerText) {
        return callerText.length() <= MAX_CHARS && ASKS.matcher(callerText.toLowerCase(Locale.ROOT)).find();
    }
}
