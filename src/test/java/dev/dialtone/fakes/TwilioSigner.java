package dev.dialtone.fakes;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes {@code X-Twilio-Signature} the way Twilio does (protocols.md section 2), written
 * independently of the SDK the server uses so that the two check each other.
 */
public final class TwilioSigner {
    private TwilioSigner() {
    }

    /** Base64(HMAC-SHA1(token, url + sorted name+value pairs)). */
    public static String sign(String authToken, String url, Map<String, String> params) {
        var data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        try {
            var mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
