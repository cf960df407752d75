package dev.dialtone.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.assertj.core.data.Offset;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Silero VAD on real speech (espeak-ng through a telephone band-pass, mu-law): it hears words and
 * a backchannel, and not a cough or a noisy line that an energy test takes for speech.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SileroVadTest {
    private SileroVad vad;

    @BeforeAll
    void load() {
        vad = SileroVad.load().orElseThrow(() -> new AssertionError("the model must load where the tests run"));
    }

    @AfterAll
    void close() {
        vad.close();
    }

    @Test
    void theVendoredModelIsTheOneItsChecksumNames() throws Exception {
        var model = SileroVad.readModel();
        try (var sum = SileroVad.class.getResourceAsStream("silero_vad.onnx.sha256")) {
            assertThat(SileroVad.sha256(model)).isEqualTo(new String(sum.readAllBytes(), StandardCharsets.US_ASCII).strip());
        }
        assertThat(SileroVad.class.getResource("silero_vad.LICENSE")).as("its licence ships beside it").isNotNull();
    }

    @Test
    void aDamagedOrUnreadableModelIsRefusedAndLeavesNoVad() throws Exception {
        var model = SileroVad.readModel();
        String sum = SileroVad.sha256(model);
        var damaged = model.clone();
        damaged[damaged.length / 2] ^= 1;

        assertThat(SileroVad.load(damaged, sum)).as("checksum").isEmpty();
        var garbage = "not a model".getBytes(StandardCharsets.US_ASCII);
        assertThat(SileroVad.load(garbage, SileroVad.sha256(garbage))).as("ONNX Runtime refuses it").isEmpty();
        assertThat(SileroVad.load(model, sum)).as("the real one").isPresent().get().satisfies(SileroVad::close);
    }

    @Test
    void speechStartsWithin200msOfTheFirstSoundOfASentence() {
        var frames = Fixtures.frames(Fixtures.concat(Fixtures.silence(300), Fixtures.mulaw("words")));

        int firstSound = firstEnergy(frames);
        int onset = firstSpeech(new VadStream(vad), frames);

        assertThat(onset).as("an onset").isGreaterThanOrEqualTo(0);
        assertThat((onset - firstSound) * Frames.FRAME_MILLIS).isBetween(0, 200);
    }

    @Test
    void speechOverALineNoisyAt30dBFSIsStillHeard() {
        var words = Fixtures.concat(Fixtures.silence(1000), Fixtures.mulaw("words"));
        var noisy = Fixtures.mix(words, Fixtures.concat(Fixtures.mulaw("noise"), Fixtures.mulaw("noise")));

        int onset = firstSpeech(new VadStream(vad), Fixtures.frames(noisy));

        assertThat(onset * Frames.FRAME_MILLIS).as("after the words begin, not in the noise before").isBetween(1000, 1400);
    }

    @Test
    void fiveSecondsOfWhiteNoiseAt30dBFSAreNoSpeechThoughEnergyCallsThemSpeech() {
        var frames = Fixtures.frames(Fixtures.mulaw("noise"));
        var stream = new VadStream(vad);

        assertThat(frames.stream().filter(stream::hear).count()).isZero();
        assertThat(frames.stream().filter(VoiceActivity::isSpeech).count()).as("the energy test").isGreaterThan(200);
    }

    @Test
    void aSteadyNoisyLineSeldomReachesTheModelOnceItsFloorIsKnown() {
        var frames = Fixtures.frames(Fixtures.mulaw("noise"));
        var stream = new VadStream(vad);
        frames.subList(0, 50).forEach(stream::hear); // the first second: the floor settles
        long before = vad.windowsRun();

        frames.subList(50, frames.size()).forEach(stream::hear);

        long windows = (frames.size() - 50) * Frames.FRAME_BYTES / SileroVad.WINDOW;
        assertThat(vad.windowsRun() - before).isLessThan(windows / 10);
    }

    @Test
    void aCoughIsNoSpeech() {
        var stream = new VadStream(vad);

        assertThat(Fixtures.frames(Fixtures.mulaw("cough")).stream().filter(stream::hear).count()).isZero();
    }

    @Test
    void aBackchannelIsAShortStretchOfSpeech() {
        var stream = new VadStream(vad);

        long speech = Fixtures.frames(Fixtures.mulaw("backchannel")).stream().filter(stream::hear).count();

        assertThat(speech * Frames.FRAME_MILLIS).isBetween(20L, 400L);
    }

    @Test
    void silenceNeverReachesTheModel() {
        var stream = new VadStream(vad);
        long before = vad.windowsRun();

        Fixtures.frames(Fixtures.silence(2000)).forEach(stream::hear);

        assertThat(vad.windowsRun() - before).isZero();
    }

    @Test
    void aBatchGivesEachRowWhatItWouldGetAlone() throws Exception {
        var audio = Fixtures.mulaw("words");
        int rows = 3;
        var input = new float[rows * (SileroVad.CONTEXT + SileroVad.WINDOW)];
        var alone = new float[rows];
        for (int row = 0; row < rows; row++) {
            var one = new float[SileroVad.CONTEXT + SileroVad.WINDOW];
            for (int i = 0; i < one.length; i++) {
                one[i] = MuLaw.decode(audio[4000 + row * 2000 + i]) / 32768f;
            }
            System.arraycopy(one, 0, input, row * one.length, one.length);
            alone[row] = vad.probabilities(one, new float[SileroVad.STATE], 1)[0];
        }

        var batch = vad.probabilities(input, new float[rows * SileroVad.STATE], rows);

        for (int row = 0; row < rows; row++) {
            assertThat(batch[row]).isCloseTo(alone[row], Offset.offset(1e-4f));
        }
    }

    @Test
    void callsWhoseWindowsRunTogetherGetWhatEachWouldGetAlone() throws Exception {
        int calls = 8;
        var audio = new ArrayList<List<byte[]>>();
        var alone = new ArrayList<List<Float>>();
        for (int c = 0; c < calls; c++) {
            var frames = Fixtures.frames(Fixtures.concat(Fixtures.silence(20 * c), Fixtures.mulaw(c % 2 == 0 ? "words" : "counting")));
            audio.add(frames);
            alone.add(probabilities(new VadStream(vad), frames));
        }

        var together = new ArrayList<Future<List<Float>>>();
        var start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(calls)) {
            for (int c = 0; c < calls; c++) {
                var frames = audio.get(c);
                together.add(pool.submit(() -> {
                    start.await();
                    return probabilities(new VadStream(vad), frames);
                }));
            }
            start.countDown();
            for (int c = 0; c < calls; c++) {
                var got = together.get(c).get();
                var want = alone.get(c);
                assertThat(got).hasSameSizeAs(want);
                for (int i = 0; i < want.size(); i++) {
                    assertThat(got.get(i)).as("call %d frame %d", c, i).isCloseTo(want.get(i), Offset.offset(1e-4f));
                }
            }
        }
    }

    private static List<Float> probabilities(VadStream stream, List<byte[]> frames) {
        var out = new ArrayList<Float>();
        for (var frame : frames) {
            stream.hear(frame);
            out.add(stream.lastProbability());
        }
        return out;
    }

    private static int firstEnergy(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (VoiceActivity.isSpeech(frames.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int firstSpeech(VadStream stream, List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (stream.hear(frames.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
