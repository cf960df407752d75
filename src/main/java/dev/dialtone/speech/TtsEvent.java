package dev.dialtone.speech;

import dev.dialtone.net.ProviderError;

import java.util.OptionalLong;

/** What a text-to-speech session reports. */
public sealed interface TtsEvent {

    /** Raw mu-law 8 kHz audio (no header) of one segment, in playing order. */
    record Audio(long segmentId, byte[] mulaw) implements TtsEvent {
    }

    /** All audio of the segment was delivered. */
    record SegmentDone(long segmentId) implements TtsEvent {
    }

    /**
     * Synthesis failed: for one segment (the session goes on) or, with an empty id, for the session
     * (every queued segment is lost and nothing more follows).
     */
    record Failed(OptionalLong segmentId, ProviderError error) implements TtsEvent {
    }
}
