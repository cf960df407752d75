package dev.dialtone.telephony;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.dialtone.Secret;

/**
 * Binds a Media Stream to the call whose voice webhook created it. Twilio signs a stream's upgrade
 * over the fixed stream URL only, so one captured signature header would open any number of
 * streams for any CallSid; the voice webhook therefore mints a credential for its call, passes it
 * as the {@code <Stream>}'s {@value #PARAMETER} {@code <Parameter>}, Twilio echoes it in
 * {@code start.customParameters}, and the stream is refused unless it carries one that is
 * unexpired, unused and minted for that CallSid and flow.
 *
 * <p>A credential is {@code <expiry>.<nonce>.<mac>}: the expiry in epoch seconds ({@link #TTL}
 * after the webhook), a random nonce (so that two webhooks of one call within a second give two
 * credentials) and base64url (unpadded) of HMAC-SHA256 over {@code "dialtone-stream-v1\n" +
 * callSid.length() + ":" + callSid + "\n" + flow.length() + ":" + flow + "\n" + expiry + "\n" +
 * nonce} (lengths first, so that no two pairs of values give the same text), keyed with the stream
 * secret ({@code DIALTONE_STREAM_SECRET}). Without one set, the key is random for this process:
 * right for one server, but a fleet behind one webhook URL must share a secret, since a stream
 * may reach another instance than its webhook did. Each credential opens one stream: a start
 * replayed after its call is refused until the credential expires (spent ones are kept that long).
 */
public final class StreamCredentials {
    /** The name of the {@code <Parameter>} that carries the credential. */
    public static final String PARAMETER = "credential";
    /** How long after the webhook the stream may start: Twilio opens it within a second or two. */
    static final Duration TTL = Duration.ofMinutes(2);
    private static final String ALGORITHM = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final boolean random;
    private final Clock clock;
    private final Map<String, Long> spent = new ConcurrentHashMap<>(); // credential -> its expiry (epoch s)

    private StreamCredentials(byte[] key, boolean random, Clock clock) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.random = random;
        this.clock = clock;
    }

    /** Keyed with {@code secret}, or with a random key of this process when it is not set. */
    public static StreamCredentials create(Secret secret, Clock clock) {
        if (secret.isSet()) {
            return new StreamCredentials(secret.value().getBytes(StandardCharsets.UTF_8), false, clock);
        }
        var key = new byte[32];
        RANDOM.nextBytes(key);
        return new StreamCredentials(key, true, clock);
    }

    /** Whether the key was generated for this process (no {@code DIALTONE_STREAM_SECRET}). */
    public boolean randomKey() {
        return random;
    }

    /** A credential for a stream of {@code callSid} running {@code flow}, valid for {@link #TTL}. */
    String mint(String callSid, String flow) {
        long expiry = clock.instant().plus(TTL).getEpochSecond();
        var nonce = new byte[9];
        RANDOM.nextBytes(nonce);
        var n = BASE64.encodeToString(nonce);
        return expiry + "." + n + "." + BASE64.encodeToString(mac(callSid, flow, expiry, n));
    }

    /**
     * Checks the credential a stream's start carries and spends it; returns why it is refused, or
     * empty when the stream may go on.
     */
    Optional<String> redeem(String credential, String callSid, String flow) {
        if (credential == null || credential.isEmpty()) {
            return Optional.of("no stream credential in start (the call's voice webhook did not send this stream)");
        }
        var parts = credential.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.of("malformed stream credential");
        }
        long expiry;
        byte[] given;
        try {
            expiry = Long.parseLong(parts[0]);
            given = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed stream credential");
        }
        if (!MessageDigest.isEqual(given, mac(callSid, flow, expiry, parts[1]))) {
            return Optional.of("stream credential was not issued for this CallSid and flow");
        }
        long now = clock.instant().getEpochSecond();
        if (expiry < now) {
            return Optional.of("stream credential expired " + (now - expiry) + " s ago");
        }
        spent.values().removeIf(e -> e < now);
        if (spent.putIfAbsent(credential, expiry) != null) {
            return Optional.of("stream credential already used by another stream");
        }
        return Optional.empty();
    }

    private byte[] mac(String callSid, String flow, long expiry, String nonce) {
        try {
            var mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            var data = "dialtone-stream-v1\n" + callSid.length() + ":" + callSid + "\n" + flow.length() + ":" + flow
                       + "\n" + expiry + "\n" + nonce;
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
