package dev.dialtone.store;

import java.time.Instant;

/**
 * A record waiting in the recorder's queue, with the key that makes its write idempotent (events
 * and usage rows are inserted once per key) and the time it was queued.
 */
record QueuedRecord(CallRecord record, String key, Instant queuedAt) {

    /** How a dropped record is named in the log: its kind and call, never its text. */
    String describe() {
        return switch (record) {
            case CallStart s -> "start of call " + s.callSid();
            case TurnRecord t -> "turn " + t.index() + " of call " + t.callSid();
            case EventRecord e -> e.kind() + " event of call " + e.callSid();
            case UsageRecord u -> u.provider() + " usage of call " + u.callSid();
            case CallEnd e -> "end of call " + e.callSid();
        };
    }
}
