package dev.dialtone.store;

/**
 * Where a call stands. A call is ACTIVE from its start until its end is recorded; a call left
 * ACTIVE after a crash stays so (its end was never known).
 */
public enum CallStatus {
    ACTIVE,
    COMPLETED,
    FAILED
}
