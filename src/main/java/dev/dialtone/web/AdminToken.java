package dev.dialtone.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import dev.dialtone.Secret;

/**
 * Who may use the admin API, the live feed, the softphone (and, when asked, the metrics): whoever
 * presents the admin token, compared in constant time. There is always a token (the operator's
 * {@code DIALTONE_ADMIN_TOKEN} or the one in {@link TokenFile}) and no address is trusted without
 * it: behind a reverse proxy or tunnel on the same host every request comes from loopback.
 *
 * <p>The token travels as {@code Authorization: Bearer}. {@code ?token=} is taken only where a
 * browser cannot set a header ({@code EventSource}, {@code WebSocket}); a token in a URL ends up
 * in histories and proxy logs, so nothing else accepts one.
 */
final class AdminToken {
    private static final String BEARER = "Bearer ";

    private final Secret token;

    AdminToken(Secret token) {
        if (!token.isSet()) {
            throw new IllegalArgumentException("no admin token: resolve it (DIALTONE_ADMIN_TOKEN or TokenFile) first");
        }
        this.token = token;
    }

    /** Whether {@code given} is the token. */
    boolean matches(String given) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.value().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the request's {@code Authorization: Bearer} header carries the token. */
    boolean inHeader(Headers headers) {
        var value = headers.first(HeaderNames.AUTHORIZATION).orElse("");
        return value.regionMatches(true, 0, BEARER, 0, BEARER.length()) && matches(value.substring(BEARER.length()).strip());
    }

    /** The header, or {@code ?token=}: only for what a browser opens without headers (SSE, WebSocket). */
    boolean inHeaderOrQuery(Headers headers, UriQuery query) {
        return inHeader(headers) || matches(query.first("token").orElse(""));
    }

    /** Answers 401 with a JSON error that says what to send (and never echoes what was sent). */
    static void refuse(ServerResponse res, String message) {
        res.headers().set(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"dialtone\"");
        AdminApi.error(res, Status.UNAUTHORIZED_401, message);
    }
}
