package dev.dialtone.store;

/** The events of a call worth keeping beside its turns. */
public enum EventKind {
    /** The call was transferred; detail names the target. */
    TRANSFER,
    /** One side hung up; detail says who and why. */
    HANGUP,
    /** Something failed (a provider, a tool, the stream); detail says what, never a secret. */
    ERROR,
    /** The flow moved to another node; detail names it. */
    NODE_CHANGE,
    /** The caller pressed keys; detail holds the digits. */
    DTMF
}
