package dev.dialtone.store;

/**
 * What the conversation hands to the {@link CallRecorder}: one fact about one call. The family is
 * sealed so that the writer's switch over it is checked by the compiler when a kind is added.
 */
public sealed interface CallRecord permits CallStart, TurnRecord, EventRecord, UsageRecord, CallEnd {

    /** The Twilio call sid this record belongs to. */
    String callSid();
}
