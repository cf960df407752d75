package dev.dialtone.web;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Browser hardening on every HTTP response (the console's page and files, the API's JSON, errors):
 * a Content-Security-Policy that lets the console run only its own files (no inline script or
 * style, no eval, no plugins, no framing), {@code X-Frame-Options: DENY} for browsers without
 * {@code frame-ancestors}, {@code nosniff} so a file runs only as the type it is served with, and
 * {@code Referrer-Policy: no-referrer}, so the console's first address ({@code /?token=}) is never
 * sent on as a Referer, not even to this server's own proxy logs.
 */
public final class SecurityHeaders implements Filter {
    /**
     * What the console needs: its modules and audio worklets ({@code script-src}; worklets count as
     * scripts), its style sheet, the favicon ({@code data:}), fetch, the event stream and the
     * softphone's socket to this server ({@code connect-src 'self'} covers ws: and wss: to it), and
     * call recordings played from {@code blob:} URLs (fetched with the bearer header, which an audio element cannot send).
     */
    public static final String POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "worker-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName FRAME_OPTIONS = HeaderNames.create("X-Frame-Options");
    private static final HeaderName CONTENT_TYPE_OPTIONS = HeaderNames.create("X-Content-Type-Options");
    private static final HeaderName REFERRER_POLICY = HeaderNames.create("Referrer-Policy");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        var headers = res.headers();
        headers.set(CSP, POLICY);
        headers.set(FRAME_OPTIONS, "DENY");
        headers.set(CONTENT_TYPE_OPTIONS, "nosniff");
        headers.set(REFERRER_POLICY, "no-referrer");
        chain.proceed();
    }

    /**
     * The last route: answers 404 here, because Helidon's own answer for an unmatched request is
     * made afresh, without the headers above.
     */
    public static void notFound(ServerRequest req, ServerResponse res) {
        res.status(Status.NOT_FOUND_404);
        res.headers().contentType(HttpMediaTypes.PLAINTEXT_UTF_8);
        res.send("Not Found");
    }
}
