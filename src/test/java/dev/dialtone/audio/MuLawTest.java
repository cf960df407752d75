package dev.dialtone.audio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MuLawTest {

    @ParameterizedTest(name = "{0} -> {1} -> {2}")
    @CsvSource({"0,0xFF,0", "100,0xF2,104", "-100,0x72,-104", "1000,0xCE,988", "-1000,0x4E,-988",
                "8000,0xA0,7932", "-8000,0x20,-7932", "32767,0x80,32124", "-32768,0x00,-32124"})
    void matchesTheG711Vectors(int linear, String code, int decoded) {
        byte expected = (byte) Integer.parseInt(code.substring(2), 16);
        assertThat(MuLaw.encode(linear)).isEqualTo(expected);
        assertThat(MuLaw.decode(expected)).isEqualTo((short) decoded);
    }

    @Test
    void everyCodeRoundTrips() {
        for (int code = 0; code < 256; code++) {
            short linear = MuLaw.decode((byte) code);
            byte again = MuLaw.encode(linear);
            // 0x7F is "negative zero": it decodes to 0, which encodes as the canonical 0xFF
            int expected = code == 0x7F ? 0xFF : code;
            assertThat(again & 0xFF).as("code 0x%02X", code).isEqualTo(expected);
        }
    }

    @Test
    void silenceDecodesToZero() {
        assertThat(MuLaw.decode(MuLaw.SILENCE)).isZero();
        assertThat(MuLaw.decode(new byte[] {MuLaw.SILENCE, (byte) 0x7F})).containsExactly(0, 0);
    }
}
