package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.dialtone.Secret;
import dev.dialtone.fakes.TwilioSigner;

class TwilioSignatureTest {
    private static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private static final String EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    private static Map<String, String> params() {
        var p = new LinkedHashMap<String, String>();
        p.put("Digits", "1234");
        p.put("CallSid", "CA1234567890ABCDE");
        p.put("To", "+18005551212");
        p.put("Caller", "+14158675309");
        p.put("From", "+14158675309");
        return p;
    }

    @Test
    void acceptsTheTwilioTestVector() {
        var signature = new TwilioSignature(new Secret("12345"));
        assertThat(signature.problem(URL, params(), Optional.of(EXPECTED))).isEmpty();
        // the fake Twilio's own signer agrees with the vector, so fake-signed requests are realistic
        assertThat(TwilioSigner.sign("12345", URL, params())).isEqualTo(EXPECTED);
    }

    @Test
    void refusesWrongTokenTamperedParameterAndMissingHeader() {
        assertThat(new TwilioSignature(new Secret("54321")).problem(URL, params(), Optional.of(EXPECTED)))
                .hasValueSatisfying(p -> assertThat(p).contains("does not match"));
        var tampered = params();
        tampered.put("To", "+18005550000");
        var signature = new TwilioSignature(new Secret("12345"));
        assertThat(signature.problem(URL, tampered, Optional.of(EXPECTED))).isPresent();
        assertThat(signature.problem(URL, params(), Optional.empty()))
                .hasValueSatisfying(p -> assertThat(p).contains("missing"));
    }

    @Test
    void withoutATokenNothingIsChecked() {
        var signature = new TwilioSignature(new Secret(""));
        assertThat(signature.enforced()).isFalse();
        assertThat(signature.problem(URL, params(), Optional.empty())).isEmpty();
    }
}
