package dev.dialtone.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A voice whose audio goes nowhere until the test plays it: {@link #send} hands a segment's audio
 * to the line (the caller starts hearing it), {@link #echo} returns its mark (the caller heard it
 * all). Fixed phrases count as cached. Call's thread only, like every voice.
 */
final class MemoryVoice implements Voice {
    private final CallClock clock;
    private final Consumer<CallEvent> post;
    final List<Segment> spoken = new ArrayList<>(); // since the last barge-in
    final List<String> said = new ArrayList<>();    // every segment's text, in order
    int interruptions;
    int pauses;
    final List<String> resumes = new ArrayList<>(); // "<segment text>@<byte>" for each resume
    final List<Segment> held = new ArrayList<>();   // audio ready but held off the line (a speculative reply)
    boolean holding;

    MemoryVoice(CallClock clock, Consumer<CallEvent> post) {
        this.clock = clock;
        this.post = post;
    }

    @Override
    public void speak(Segment segment, boolean fixed) {
        spoken.add(segment);
        said.add(segment.text);
        segment.synthesized = true;
    }

    /** Segments spoken since the last barge-in that have not been sent to the line yet. */
    List<Segment> unsent() {
        return spoken.stream().filter(s -> s.bytesSent == 0).toList();
    }

    /** Segments on the line whose marks have not come back. */
    List<Segment> unechoed() {
        return spoken.stream().filter(s -> s.bytesSent > 0 && !s.played()).toList();
    }

    /** The segment's audio is ready and goes to the caller (about 60 ms per character), unless the voice holds it. */
    void send(Segment segment) {
        if (holding) {
            held.add(segment);
            return;
        }
        segment.firstSentNanos = clock.nanos();
        segment.bytesSent = Math.max(1, segment.text.length()) * 480;
    }

    /** The segment's mark comes back: the caller heard all of it. */
    void echo(Segment segment) {
        post.accept(new CallEvent.MarkEchoed(segment.mark, clock.nanos()));
    }

    @Override
    public void endOfReply() {
    }

    @Override
    public boolean onTts(CallEvent.Tts event) {
        return false;
    }

    @Override
    public void pause() {
        pauses++;
    }

    @Override
    public void hold() {
        holding = true;
    }

    @Override
    public int resume(Optional<Segment> playing, int bytes) {
        if (holding) {
            holding = false;
            held.forEach(this::send);
            held.clear();
            return bytes;
        }
        resumes.add(playing.map(s -> s.text).orElse("") + "@" + bytes);
        return bytes;
    }

    @Override
    public void interrupt() {
        interruptions++;
        holding = false;
        held.clear();
        spoken.removeIf(s -> !s.played());
    }

    @Override
    public boolean playing() {
        return !unechoed().isEmpty();
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
