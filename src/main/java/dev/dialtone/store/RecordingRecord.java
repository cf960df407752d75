package dev.dialtone.store;

import java.time.Instant;
import java.util.Optional;

/** A Twilio recording of a call: its sid, last status (in-progress, completed, absent, failed), channels and length. */
public record RecordingRecord(String recordingSid, String callSid, String status, Optional<Integer> channels,
                              Optional<Integer> durationSeconds, Instant updatedAt) {
}
