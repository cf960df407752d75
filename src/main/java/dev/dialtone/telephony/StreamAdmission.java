package dev.dialtone.telephony;

import java.util.Map;
import java.util.Optional;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;

/**
 * Who may open a Media Stream socket and what it may say: Twilio (by signature, then by the
 * call's stream credential in {@code start}) on {@code /twilio/stream}, an operator (by admin
 * token) on the softphone's, which alone may send typed turns. Checked before any message is
 * read, and again at {@code start}.
 */
public interface StreamAdmission {

    /** Why the upgrade must be refused, or empty to accept it. */
    Optional<String> refuse(HttpPrologue prologue, Headers headers);

    /** Whether a socket from this peer may go on once open (checked before its first message). */
    default boolean admits(PeerInfo peer) {
        return true;
    }

    /** Why this stream's {@code start} must be refused (the socket is then closed with 1008), or empty. */
    default Optional<String> refuseStart(StreamEvent.Start start) {
        return Optional.empty();
    }

    /** Whether {@code text} events (typed caller turns) are accepted: only the softphone's. */
    default boolean acceptsText() {
        return false;
    }

    /**
     * Twilio's streams: the signature over the public wss URL (no parameters) on the upgrade, and
     * a start that carries the stream credential its call's voice webhook minted.
     */
    static StreamAdmission twilio(TwilioSignature signature, PublicAddress address, StreamCredentials credentials) {
        return new StreamAdmission() {
            @Override
            public Optional<String> refuse(HttpPrologue prologue, Headers headers) {
                return signature.problem(address.wss(headers, prologue.uriPath().rawPath()), Map.of(),
                                         headers.first(HeaderNames.create("X-Twilio-Signature")));
            }

            @Override
            public Optional<String> refuseStart(StreamEvent.Start start) {
                return credentials.redeem(start.parameter(StreamCredentials.PARAMETER), start.callSid(),
                                          start.parameter("flow"));
            }
        };
    }
}
