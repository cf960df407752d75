package dev.dialtone.flow;

import java.time.Duration;

/**
 * TurnTaking-taking settings of a flow: whether the caller may interrupt the agent, how many words count
 * as an interruption (so "uh-huh" does not), how long a silence lasts before the agent re-prompts,
 * the longest a call may last, and whether the reply is prepared on a likely end of the caller's
 * turn ({@code speculate}: started early, played only once the turn has really ended).
 */
public record TurnTaking(boolean interruptions, int minInterruptWords, Duration silenceReprompt, Duration maxCall,
                         boolean speculate) {
    public static final TurnTaking DEFAULTS = new TurnTaking(true, 2, Duration.ofSeconds(8), Duration.ofSeconds(900), false);
}
