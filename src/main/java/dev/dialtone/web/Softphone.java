package dev.dialtone.web;

import java.util.Optional;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;

import dev.dialtone.Secret;
import dev.dialtone.telephony.StreamAdmission;

/**
 * Who may open the browser softphone's Media Stream ({@code WS /softphone}): whoever presents the
 * admin token, as {@code ?token=} (a browser's WebSocket cannot set headers) or as a bearer
 * header; checked on the upgrade, before any message is read, whatever address it comes from. The
 * socket speaks Twilio's Media Streams protocol, so the call runs exactly as a phone call would.
 */
public final class Softphone implements StreamAdmission {
    public static final String PATH = "/softphone";

    private final AdminToken token;

    public Softphone(Secret token) {
        this.token = new AdminToken(token);
    }

    @Override
    public Optional<String> refuse(HttpPrologue prologue, Headers headers) {
        return token.inHeaderOrQuery(headers, prologue.query()) ? Optional.empty()
                : Optional.of("missing or wrong admin token");
    }

    /** The softphone's text box sends typed turns; Twilio's streams may not. */
    @Override
    public boolean acceptsText() {
        return true;
    }
}
