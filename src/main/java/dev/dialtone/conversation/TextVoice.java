package dev.dialtone.conversation;

import java.util.function.Consumer;
import java.util.List;
import java.util.Optional;

/**
 * The agent's voice as text, for {@code bin/dialtone chat} and the softphone's text mode: each
 * segment is printed and counts as heard at once.
 */
final class TextVoice implements Voice {
    private final Consumer<String> out;
    private final Consumer<CallEvent> post;
    private final CallClock clock;

    TextVoice(Consumer<String> out, Consumer<CallEvent> post, CallClock clock) {
        this.out = out;
        this.post = post;
        this.clock = clock;
    }

    @Override
    public void speak(Segment segment, boolean fixed) {
        out.accept(segment.text);
        segment.firstSentNanos = clock.nanos();
        segment.bytesSent = Math.max(1, segment.text.length()) * 480; // ~60 ms per character, as if spoken
        segment.synthesized = true;
        post.accept(new CallEvent.MarkEchoed(segment.mark, clock.nanos()));
    }

    @Override
    public void endOfReply() {
    }

    @Override
    public boolean onTts(CallEvent.Tts event) {
        return false;
    }

    /** Printed text cannot be stopped part-way; nothing pauses a typed call. */
    @Override
    public void pause() {
    }

    /** Typed turns end when they are sent: a typed call never speculates. */
    @Override
    public void hold() {
    }

    @Override
    public int resume(Optional<Segment> playing, int bytes) {
        return bytes;
    }

    @Override
    public void interrupt() {
    }

    @Override
    public boolean playing() {
        return false;
    }

    @Override
    public void prepare(List<String> phrases) {
    }

    @Override
    public boolean hasCached(String text) {
        return true;
    }

    @Override
    public void close() {
    }
}
