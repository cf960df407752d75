package dev.dialtone.fakes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.audio.MuLaw;

/** The fake caller's audio: WAV files become the mu-law the fake Twilio streams. */
class FakeAudioTest {

    private static Path wav(Path dir, int format, int rate, int bits, byte[] data) throws IOException {
        var header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x46464952).putInt(36 + data.length).putInt(0x45564157);
        header.putInt(0x20746d66).putInt(16).putShort((short) format).putShort((short) 1).putInt(rate)
              .putInt(rate * bits / 8).putShort((short) (bits / 8)).putShort((short) bits);
        header.putInt(0x61746164).putInt(data.length);
        var file = dir.resolve("a.wav");
        Files.write(file, concat(header.array(), data));
        return file;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        var out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aPcmWavIsEncodedToMuLaw(@TempDir Path dir) throws IOException {
        var pcm = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) 1000)
                            .putShort((short) -1000).putShort((short) 8000).array();
        var mulaw = FakeAudio.wav(wav(dir, 1, 8000, 16, pcm));
        assertThat(mulaw).containsExactly(MuLaw.encode(0), MuLaw.encode(1000), MuLaw.encode(-1000), MuLaw.encode(8000));
    }

    @Test
    void aMuLawWavIsTakenAsIs(@TempDir Path dir) throws IOException {
        var data = FakeAudio.tone(440, 100);
        assertThat(FakeAudio.wav(wav(dir, 7, 8000, 8, data))).isEqualTo(data);
    }

    @Test
    void otherRatesAreRefusedWithTheFix(@TempDir Path dir) throws IOException {
        var file = wav(dir, 1, 16000, 16, new byte[320]);
        assertThatThrownBy(() -> FakeAudio.wav(file)).hasMessageContaining("need mono 8000 Hz");
    }
}
