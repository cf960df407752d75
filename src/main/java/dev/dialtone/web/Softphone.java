package dev.dialtone.web;

import java.util.Optional;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;

import dev.dialtone.Secret;
import dev.dialtone.telephony.StreamAdmission;

/**
 * Who may open the browser softphone's Media Stream ({@code WS /softphone}): with an admin token
 * configured, whoever presents it ({@code ?token=}); without one, only this machine. The socket
 * speaks Twilio's Media Streams protocol, so the call runs exactly as a phone call would.
 */
public final class Softphone implements StreamAdmission {
    public static final String PATH = "/softphone";

    private final AdminToken token;

    public Softphone(Secret token) {
        this.token = new AdminToken(token);
    }

    @Override
    public Optional<String> refuse(HttpPrologue prologue, Headers headers) {
        if (!token.configured()) {
            return Optional.empty(); // checked against the peer address once open
        }
        return token.matches(prologue.query().first("token").orElse(""))
                ? Optional.empty() : Optional.of("missing or wrong admin token");
    }

    @Override
    public boolean admits(PeerInfo peer) {
        return token.configured() || AdminToken.isLocal(peer.address());
    }

    /** The softphone's text box sends typed turns; Twilio's streams may not. */
    @Override
    public boolean acceptsText() {
        return true;
    }
}
