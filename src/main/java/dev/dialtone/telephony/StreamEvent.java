package dev.dialtone.telephony;

import java.util.List;
import java.util.Map;

/**
 * A message Twilio sends over a Media Stream, one record per {@code event} kind
 * (protocols.md section 1). Numeric fields that Twilio sends as strings are parsed here.
 */
public sealed interface StreamEvent {

    /** First message on a new socket. */
    record Connected(String protocol, String version) implements StreamEvent {
    }

    /** The stream's metadata; {@code customParameters} carries the TwiML {@code <Parameter>}s. */
    record Start(long sequenceNumber, String streamSid, String accountSid, String callSid,
                 List<String> tracks, Map<String, String> customParameters,
                 String encoding, int sampleRate, int channels) implements StreamEvent {
        public String parameter(String name) {
            return customParameters.getOrDefault(name, "");
        }
    }

    /** One chunk of caller audio: raw mu-law 8 kHz, {@code timestampMs} since stream start. */
    record Media(long sequenceNumber, String streamSid, String track, long chunk, long timestampMs,
                 byte[] payload) implements StreamEvent {
    }

    /** A key the caller pressed. */
    record Dtmf(long sequenceNumber, String streamSid, String track, String digit) implements StreamEvent {
    }

    /** A mark the server sent, echoed back when the audio before it has played (or was cleared). */
    record Mark(long sequenceNumber, String streamSid, String name) implements StreamEvent {
    }

    /**
     * A caller turn typed instead of spoken. Not part of Twilio's protocol: the browser softphone
     * sends it ({@code {"event":"text","text":"..."}}).
     */
    record Text(long sequenceNumber, String streamSid, String text) implements StreamEvent {
    }

    /** The stream ended (caller hung up, or the call left the {@code <Connect>}). */
    record Stop(long sequenceNumber, String streamSid, String accountSid, String callSid) implements StreamEvent {
    }
}
