package dev.dialtone.telephony;

/** A message the server sends to Twilio over a Media Stream (protocols.md section 1). */
public sealed interface StreamCommand {

    /** Audio to queue for playback: raw mu-law 8 kHz, no header, any length. */
    record Media(byte[] payload) implements StreamCommand {
    }

    /** Asks Twilio to echo {@code name} back once the audio queued before it has played. */
    record Mark(String name) implements StreamCommand {
    }

    /** Empties Twilio's playback queue (barge-in); pending marks are echoed at once. */
    record Clear() implements StreamCommand {
    }
}
