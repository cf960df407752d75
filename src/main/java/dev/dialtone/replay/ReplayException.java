package dev.dialtone.replay;

/** Why a replay could not run, with what an API answer makes of it. */
public final class ReplayException extends Exception {
    public enum Kind {
        /** No such call, flow, draft or stored version. */
        NOT_FOUND,
        /** The version to replay on does not load (its problems are in the message). */
        INVALID,
        /** The flow's LLM has no API key here. */
        UNAVAILABLE,
        /** Too many replays at once. */
        BUSY
    }

    private final Kind kind;

    ReplayException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
