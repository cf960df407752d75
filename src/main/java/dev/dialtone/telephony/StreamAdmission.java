package dev.dialtone.telephony;

import java.util.Optional;
import java.util.Map;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.HeaderNames;

/**
 * Who may open a Media Stream socket: Twilio (by signature) on {@code /twilio/stream}, an operator
 * (by admin token) on the softphone's. Checked before any message is read.
 */
public interface StreamAdmission {

    /** Why the upgrade must be refused, or empty to accept it. */
    Optional<String> refuse(HttpPrologue prologue, Headers headers);

    /** Whether a socket from this peer may go on once open (checked before its first message). */
    default boolean admits(PeerInfo peer) {
        return true;
    }

    /** Twilio's streams: the signature over the public wss URL (no parameters). */
    static StreamAdmission twilio(TwilioSignature signature, PublicAddress address) {
        return (prologue, headers) -> signature.problem(address.wss(headers, prologue.uriPath().rawPath()),
                Map.of(), headers.first(HeaderNames.create("X-Twilio-Signature")));
    }
}
