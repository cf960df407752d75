package dev.dialtone.speech;

import java.util.function.Consumer;

/**
 * Streaming text-to-speech: one session per call; text segments in, mu-law 8 kHz audio out, tagged
 * with the segment it belongs to.
 *
 * <p>{@link #open} returns at once. The listener is called on I/O threads, never concurrently for
 * one session. Segments are spoken in the order given; audio of a segment always precedes its
 * {@link TtsEvent.SegmentDone}.
 */
public interface TextToSpeech {

    TtsSession open(TtsOptions options, Consumer<TtsEvent> listener);
}
