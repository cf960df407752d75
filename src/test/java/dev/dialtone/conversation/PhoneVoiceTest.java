package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.audio.Fixtures;
import dev.dialtone.audio.Playout;
import dev.dialtone.audio.WordGap;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

/**
 * The phone voice through a pause: the line is cleared at once, audio arriving meanwhile is held,
 * and a resume sends the held audio again from the start of the word that was cut (real
 * synthesised speech), then the rest, with fresh marks. A real {@link Playout} with a lead long
 * enough that it sends at once; the TTS is an in-memory session the test feeds.
 */
class PhoneVoiceTest {
    private final ManualClock clock = new ManualClock();
    private final List<Object> line = new ArrayList<>(); // byte[] frames, "mark:<name>", "clear", in order; guarded by itself
    private final Playout playout = new Playout(new Playout.Sink() {
        public void audio(byte[] frame) {
            synchronized (line) {
                line.add(frame);
            }
        }

        public void mark(String name) {
            synchronized (line) {
                line.add("mark:" + name);
            }
        }

        public void clear() {
            synchronized (line) {
                line.add("clear");
            }
        }
    }, Duration.ofSeconds(60), "test");
    private final List<String> synthesised = new ArrayList<>();
    private final PhoneVoice voice = new PhoneVoice(new MemoryTts(), new TtsOptions("v", "m", Map.of()), "k", playout,
                                                    new PhraseCache(), e -> { }, clock);
    private final byte[] counting = Fixtures.mulaw("counting");
    private final byte[] more = Arrays.copyOf(Fixtures.mulaw("words"), 4000);

    @AfterEach
    void close() {
        voice.close();
    }

    @Test
    void aResumePlaysTheHeldAudioFromTheCutWordThenTheRest() throws Exception {
        var first = new Segment(1, "one. two. three. four. five.", 0);
        var second = new Segment(2, "I need to", 0);
        say(first, counting);
        say(second, more);
        awaitLine(s -> s.contains("mark:seg-2"));

        voice.pause();
        first.renameMark();
        second.renameMark();
        int cut = counting.length / 2 + 37;
        int from = voice.resume(Optional.of(first), cut);

        assertThat(from).isEqualTo(WordGap.before(counting, cut)).isLessThanOrEqualTo(cut);
        var after = awaitLine(s -> s.contains("mark:" + second.mark));
        int clear = after.indexOf("clear");
        assertThat(clear).isPositive();
        var replay = after.subList(clear + 1, after.size());
        int firstMark = replay.indexOf("mark:" + first.mark);
        assertThat(audio(replay.subList(0, firstMark))).startsWith(Arrays.copyOfRange(counting, from, counting.length));
        assertThat(audio(replay.subList(firstMark + 1, replay.size() - 1))).startsWith(more);
        assertThat(replay.getLast()).isEqualTo("mark:" + second.mark);
    }

    @Test
    void audioArrivingWhilePausedIsHeldUntilTheResume() throws Exception {
        var first = new Segment(1, "one. two. three. four. five.", 0);
        say(first, counting);
        awaitLine(s -> s.contains("mark:seg-1"));
        voice.pause();
        var second = new Segment(2, "I need to", 0);
        say(second, more);
        assertThat(second.bytesSent).as("nothing went out").isZero();

        first.renameMark();
        voice.resume(Optional.of(first), counting.length); // it had all played: only its mark again
        var after = awaitLine(s -> s.contains("mark:seg-2"));

        var replay = after.subList(after.indexOf("clear") + 1, after.size());
        assertThat(replay.getFirst()).isEqualTo("mark:" + first.mark);
        assertThat(audio(replay)).startsWith(more);
    }

    @Test
    void aHeldReplyReleasedAfterAnEarlierOneHadPlayedSendsOnlyItsOwnAudio() throws Exception {
        var greeting = new Segment(1, "one. two. three. four. five.", 0);
        say(greeting, counting);
        awaitLine(s -> s.contains("mark:seg-1"));
        greeting.echoedNanos = clock.nanos(); // Twilio played it and echoed its mark

        voice.hold(); // a speculative reply is prepared while the caller may still go on: a tool call, no words yet
        voice.resume(Optional.empty(), 0); // the turn ended with the same words: the held reply goes on
        var answer = new Segment(2, "I need to", 0); // its words after the tool
        say(answer, more);
        var after = awaitLine(s -> s.contains("mark:seg-2"));

        var released = after.subList(after.indexOf("mark:seg-1") + 1, after.size());
        var sent = audio(released);
        assertThat(sent.length).as("the answer alone, not the greeting again").isEqualTo(more.length);
        assertThat(Arrays.equals(sent, more)).as("the answer's audio").isTrue();
    }

    private void say(Segment segment, byte[] audio) {
        voice.speak(segment, false);
        voice.onTts(new CallEvent.Tts(1, new TtsEvent.Audio(segment.id, audio), clock.nanos()));
        voice.onTts(new CallEvent.Tts(1, new TtsEvent.SegmentDone(segment.id), clock.nanos()));
    }

    private static byte[] audio(List<Object> items) {
        var out = new ByteArrayOutputStream();
        items.stream().filter(i -> i instanceof byte[]).forEach(i -> out.writeBytes((byte[]) i));
        return out.toByteArray();
    }

    /** The line once it holds what is wanted (the playout sends on a thread of its own); 10 s guards a hang. */
    private List<Object> awaitLine(Predicate<List<Object>> wanted) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            synchronized (line) {
                if (wanted.test(line)) {
                    return List.copyOf(line);
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the line never got there: " + line.stream().filter(o -> o instanceof String).toList());
    }

    /** A TTS session whose audio the test delivers itself. */
    private final class MemoryTts implements TextToSpeech {
        public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
            return new TtsSession() {
                public void speak(long segmentId, String text) {
                    synthesised.add(text);
                }

                public void flush() {
                }

                public void cancel() {
                }

                public void close() {
                }
            };
        }
    }
}
