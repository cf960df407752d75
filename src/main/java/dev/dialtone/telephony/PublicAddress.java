package dev.dialtone.telephony;

import java.net.URI;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HeaderName;

/**
 * The address Twilio uses to reach this server. Behind a proxy or tunnel the server sees a
 * different URL than Twilio requested, and signatures are computed over Twilio's URL, so the
 * public base comes from {@code PUBLIC_URL}, or else from the forwarding headers.
 */
public final class PublicAddress {
    private static final HeaderName FORWARDED_HOST = HeaderNames.create("X-Forwarded-Host");
    private static final HeaderName FORWARDED_PROTO = HeaderNames.create("X-Forwarded-Proto");

    private final Optional<URI> publicUrl;

    public PublicAddress(Optional<URI> publicUrl) {
        this.publicUrl = publicUrl;
    }

    /**
     * The https (or http) base, without a trailing slash, e.g. {@code https://agent.example.com}.
     *
     * @param secure whether the request reached this server over TLS (the scheme when no proxy says otherwise)
     */
    public String httpBase(Headers headers, boolean secure) {
        if (publicUrl.isPresent()) {
            return publicUrl.get().toString();
        }
        var scheme = first(headers, FORWARDED_PROTO).orElse(secure ? "https" : "http");
        return scheme + "://" + host(headers);
    }

    /** The wss URL of a path, as written into TwiML (Twilio only opens wss streams). */
    public String wss(Headers headers, String path) {
        var host = publicUrl.map(PublicAddress::authority).orElseGet(() -> host(headers));
        var prefix = publicUrl.map(URI::getRawPath).filter(p -> !p.isEmpty() && !p.equals("/")).orElse("");
        return "wss://" + host + prefix + path;
    }

    private static String authority(URI uri) {
        return uri.getRawAuthority();
    }

    private static String host(Headers headers) {
        return first(headers, FORWARDED_HOST)
                .or(() -> first(headers, HeaderNames.HOST))
                .orElse("localhost");
    }

    private static Optional<String> first(Headers headers, HeaderName name) {
        return headers.first(name).map(v -> v.split(",")[0].trim()).filter(v -> !v.isEmpty());
    }
}
