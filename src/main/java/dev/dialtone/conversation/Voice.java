package dev.dialtone.conversation;

import java.util.List;
import java.util.Optional;

/**
 * Where the agent's words go: a phone line ({@link PhoneVoice}: text-to-speech, paced audio,
 * marks) or a terminal ({@link TextVoice}). Called only on the call's thread. Either way the
 * call learns that a segment was heard from a {@link CallEvent.MarkEchoed} with its mark.
 */
interface Voice extends AutoCloseable {

    /** Speaks a segment after those already spoken; {@code fixed} phrases may come from a cache. */
    void speak(Segment segment, boolean fixed);

    /** No more text follows for now (the reply is complete). */
    void endOfReply();

    /**
     * Handles an event of the voice's TTS stream; returns true when synthesis failed and what was
     * being said is lost (the call apologises).
     */
    boolean onTts(CallEvent.Tts event);

    /**
     * The caller may be interrupting: stop the line at once (Twilio's buffer too) and hold
     * everything not yet heard, with whatever audio arrives meanwhile.
     */
    void pause();

    /**
     * A speculative reply follows: synthesise what is spoken from now on but hold its audio off the
     * line (nothing is playing) until {@link #resume} plays it from the start or {@link #interrupt}
     * forgets it.
     */
    void hold();

    /**
     * Plays the held audio again, from {@code bytes} into the audio of {@code playing} (the segment
     * the caller was hearing; empty: none was) backed off to the start of the word it cuts, then
     * the rest in order. Returns the byte of {@code playing}'s audio it resumed from.
     */
    int resume(Optional<Segment> playing, int bytes);

    /** Barge-in: stop at once and forget everything not yet heard. */
    void interrupt();

    /** Whether audio is still queued or playing at the caller's end. */
    boolean playing();

    /** Synthesises fixed phrases ahead of need, so that they play at once (even if the TTS later fails). */
    void prepare(List<String> phrases);

    /** Whether a fixed phrase can be spoken without the TTS (it is cached). */
    boolean hasCached(String text);

    @Override
    void close();
}
