package dev.dialtone.store;

/** Who placed the call: the caller dialled one of our numbers, or we dialled out. */
public enum Direction {
    INBOUND,
    OUTBOUND
}
