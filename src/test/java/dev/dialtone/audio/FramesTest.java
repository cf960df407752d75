package dev.dialtone.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void chunksOfAnySizeBecomeWhole20msFramesInOrder() {
        var frames = new Frames();
        var out = new ArrayList<byte[]>();
        var audio = new byte[1000];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (byte) i;
        }
        int at = 0;
        for (int size : new int[] {7, 300, 1, 159, 160, 373}) {
            out.addAll(frames.add(java.util.Arrays.copyOfRange(audio, at, at + size)));
            at += size;
        }
        assertThat(at).isEqualTo(1000);
        assertThat(out).hasSize(6).allSatisfy(f -> assertThat(f).hasSize(160));
        out.addAll(frames.flush());
        assertThat(out).hasSize(7);
        for (int i = 0; i < 1000; i++) {
            assertThat(out.get(i / 160)[i % 160]).isEqualTo((byte) i);
        }
        // the last frame is padded with silence, not zeros (a zero byte is a loud click in mu-law)
        assertThat(out.get(6)[40]).isEqualTo(MuLaw.SILENCE);
        assertThat(frames.flush()).isEmpty();
    }

    @Test
    void discardDropsThePartialFrame() {
        var frames = new Frames();
        assertThat(frames.add(new byte[100])).isEmpty();
        frames.discard();
        assertThat(frames.add(new byte[100])).isEmpty();
        assertThat(frames.add(new byte[60])).hasSize(1);
        assertThat(Frames.millis(8000)).isEqualTo(1000);
        assertThat(List.of()).isEmpty();
    }
}
