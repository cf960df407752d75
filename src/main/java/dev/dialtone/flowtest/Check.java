package dev.dialtone.flowtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One expectation of a test case, with the line of the test file that states it. A turn's checks
 * look at that turn's reply (its tools and what the agent said) and at the call after it; a case's
 * checks look at the whole call.
 */
public sealed interface Check {
    int line();

    /** A tool was called; with {@code args} (a subset of its arguments) and {@code argsMatch} (patterns over their text), if given. */
    record Called(String tool, Optional<JsonNode> args, Map<String, Pattern> argsMatch, int line) implements Check {
        public Called {
            argsMatch = Map.copyOf(argsMatch);
        }
    }

    /** A tool was not called. */
    record NotCalled(String tool, int line) implements Check {
    }

    /** The call is in this node. */
    record InNode(String node, int line) implements Check {
    }

    /** A state value is this text. */
    record StateIs(String key, String value, int line) implements Check {
    }

    /** The call has ended (true) or goes on (false). */
    record Ended(boolean ended, int line) implements Check {
    }

    /** The call was transferred to this number. */
    record Transferred(String number, int line) implements Check {
    }

    /** What the agent said contains this text, in any case. */
    record SaidContains(String text, int line) implements Check {
    }

    /** What the agent said does not contain this text, in any case. */
    record SaidNot(String text, int line) implements Check {
    }

    /** What the agent said matches this pattern somewhere. */
    record SaidMatches(Pattern pattern, int line) implements Check {
    }

    /** A check in plain words, judged by the flow's LLM on the whole transcript. */
    record Rubric(String text, int line) implements Check {
    }
}
