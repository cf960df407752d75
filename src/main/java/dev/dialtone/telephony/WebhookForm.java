package dev.dialtone.telephony;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * A Twilio webhook's form body, read and decoded within limits before anyone trusts it: at most
 * {@link #MAX_BYTES} (a larger announced length is refused from the headers alone, a longer
 * chunked body as soon as it passes the limit) and {@link #MAX_PARAMETERS} parameters (counted
 * before any decoding). Twilio's voice and status callbacks send a few dozen parameters and a few
 * kilobytes.
 */
final class WebhookForm {
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_PARAMETERS = 200;

    private WebhookForm() {
    }

    /** A body refused with {@code status}; the message is safe to send back and to log. */
    static final class Refused extends Exception {
        private final Status status;

        Refused(Status status, String message) {
            super(message, null, false, false); // an expected answer, not an error: no stack trace
            this.status = status;
        }

        Status status() {
            return status;
        }
    }

    /** Reads and decodes the request's form. */
    static Map<String, String> read(ServerRequest req) throws Refused {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > MAX_BYTES) {
            throw tooLarge();
        }
        byte[] body;
        try (var in = req.content().inputStream()) {
            body = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException | UncheckedIOException e) {
            throw new Refused(Status.BAD_REQUEST_400, "the body could not be read");
        }
        if (body.length > MAX_BYTES) {
            throw tooLarge();
        }
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    /** Decodes {@code application/x-www-form-urlencoded} text; a repeated name keeps its last value. */
    static Map<String, String> parse(String body) throws Refused {
        var form = new LinkedHashMap<String, String>();
        if (body.isEmpty()) {
            return form;
        }
        if (body.chars().filter(c -> c == '&').count() >= MAX_PARAMETERS) {
            throw new Refused(Status.BAD_REQUEST_400, "too many parameters (at most " + MAX_PARAMETERS + ")");
        }
        try {
            for (var pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                var name = eq < 0 ? pair : pair.substring(0, eq);
                var value = eq < 0 ? "" : pair.substring(eq + 1);
                form.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            throw new Refused(Status.BAD_REQUEST_400, "malformed form encoding");
        }
        return form;
    }

    private static Refused tooLarge() {
        return new Refused(Status.REQUEST_ENTITY_TOO_LARGE_413, "body larger than " + MAX_BYTES + " bytes");
    }
}
