package dev.dialtone.speech;

import java.util.function.Consumer;

/**
 * Streaming speech-to-text: one session per call, fed with the caller's audio as it arrives.
 *
 * <p>{@link #open} returns at once; the connection is made on a virtual thread and audio sent before
 * it is ready is buffered, not lost. The listener is called on I/O threads, never concurrently for
 * one session, and never after {@link SttEvent.Closed} or {@link SttEvent.Failed}.
 */
public interface SpeechToText {

    SttSession open(SttOptions options, Consumer<SttEvent> listener);
}
