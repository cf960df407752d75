package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The media payload decoder agrees with the JDK's base64 decoder, and refuses what it refuses. */
class Base64TextTest {

    @Test
    void decodesWhatTheJdkEncodesForEveryLengthAndPadding() {
        var random = new Random(7);
        for (int length = 0; length < 400; length++) {
            var bytes = new byte[length];
            random.nextBytes(bytes);
            var text = ("xx" + Base64.getEncoder().encodeToString(bytes) + "yy").toCharArray();
            assertThat(Base64Text.decode(text, 2, text.length - 4)).as("length " + length).containsExactly(bytes);
        }
    }

    @Test
    void refusesWhatIsNotPaddedStandardBase64() {
        for (var bad : new String[] {"abc", "ab=c", "a===", "ab*d", "ab-_", "é123", "abcd=", "=abc"}) {
            var chars = bad.toCharArray();
            assertThat(Base64Text.decode(chars, 0, chars.length)).as(bad).isNull();
        }
    }

    @Test
    void randomTextIsDecodedExactlyWhenTheJdkAcceptsIt() {
        var random = new Random(11);
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ *".toCharArray();
        for (int i = 0; i < 20_000; i++) {
            var chars = new char[random.nextInt(13)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = alphabet[random.nextInt(alphabet.length)];
            }
            byte[] expected;
            try {
                expected = Base64.getDecoder().decode(new String(chars));
            } catch (IllegalArgumentException e) {
                expected = null;
            }
            var actual = Base64Text.decode(chars, 0, chars.length);
            if (expected == null || chars.length % 4 != 0) {
                assertThat(actual).as(new String(chars)).isNull(); // unpadded input is refused here, as Twilio always pads
            } else {
                assertThat(actual).as(new String(chars)).containsExactly(expected);
            }
        }
    }
}
