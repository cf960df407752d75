package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.dialtone.audio.Fixtures;
import dev.dialtone.audio.SileroVad;

/**
 * The caller's side of a call on real audio, 20 ms frames on the manual clock: while the agent can
 * be interrupted the VAD posts an onset for speech and a backchannel, nothing for noise or a cough;
 * without the model (or while the agent is silent) energy decides, as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpeechInputTest {
    private SileroVad vad;
    private final ManualClock clock = new ManualClock();
    private final List<CallEvent> posted = new ArrayList<>();

    @BeforeAll
    void load() {
        vad = SileroVad.load().orElseThrow();
    }

    @BeforeEach
    void clear() {
        posted.clear();
    }

    @AfterAll
    void close() {
        vad.close();
    }

    @Test
    void wordsOverTheAgentPostAnOnsetAtOnceThenSustainedSpeech() {
        long start = clock.nanos();
        play(watching(true), Fixtures.concat(Fixtures.silence(200), Fixtures.mulaw("words")));

        var onset = posted.stream().filter(e -> e instanceof CallEvent.CallerVoice).findFirst().orElseThrow();
        assertThat((((CallEvent.CallerVoice) onset).atNanos() - start) / 1_000_000).isBetween(200L, 400L);
        assertThat(posted).filteredOn(e -> e instanceof CallEvent.CallerSpeaking).hasSize(1);
    }

    @Test
    void aBackchannelPostsAnOnsetButIsNotSustainedSpeech() {
        play(watching(true), Fixtures.mulaw("backchannel"));

        assertThat(posted).filteredOn(e -> e instanceof CallEvent.CallerVoice).hasSize(1);
        assertThat(posted).noneMatch(e -> e instanceof CallEvent.CallerSpeaking);
    }

    @Test
    void noiseAndACoughPostNothingAndLeaveTheCallerSilent() {
        var input = watching(true);
        play(input, Fixtures.concat(Fixtures.mulaw("noise"), Fixtures.mulaw("cough")));

        assertThat(posted).isEmpty();
        assertThat(input.lastSpeechNanos()).as("a paused reply resumes through noise").isZero();
    }

    @Test
    void withoutTheModelEnergyDecidesAsBefore() {
        var input = new CallSession.SpeechInput(null, null, posted::add, clock, Optional.empty());
        input.watch(true);

        play(input, Fixtures.mulaw("noise"));

        assertThat(posted).noneMatch(e -> e instanceof CallEvent.CallerVoice);
        assertThat(posted).filteredOn(e -> e instanceof CallEvent.CallerSpeaking).as("noise reads as speech").hasSize(1);
    }

    @Test
    void whileTheAgentIsSilentNoOnsetIsPostedAndEnergyStampsTheEndOfSpeech() {
        var input = watching(false);
        long before = vad.windowsRun();

        play(input, Fixtures.mulaw("words"));

        assertThat(posted).noneMatch(e -> e instanceof CallEvent.CallerVoice);
        assertThat(input.lastSpeechNanos()).isPositive();
        assertThat(vad.windowsRun()).as("the model was not asked").isEqualTo(before);
    }

    private CallSession.SpeechInput watching(boolean interruptible) {
        var input = new CallSession.SpeechInput(null, null, posted::add, clock, Optional.of(vad));
        input.watch(interruptible);
        return input;
    }

    private void play(CallSession.SpeechInput input, byte[] mulaw) {
        for (var frame : Fixtures.frames(mulaw)) {
            clock.advance(Duration.ofMillis(20));
            input.hear(frame);
        }
    }
}
