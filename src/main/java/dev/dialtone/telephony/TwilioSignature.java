package dev.dialtone.telephony;

import java.util.Map;
import java.util.Optional;

import com.twilio.security.RequestValidator;

import dev.dialtone.Secret;

/**
 * Checks {@code X-Twilio-Signature} with Twilio's own validator (protocols.md section 2). Without
 * an auth token every request passes; the server warns about that at start.
 */
public final class TwilioSignature {
    private final Optional<RequestValidator> validator;

    public TwilioSignature(Secret authToken) {
        this.validator = authToken.isSet() ? Optional.of(new RequestValidator(authToken.value())) : Optional.empty();
    }

    public boolean enforced() {
        return validator.isPresent();
    }

    /**
     * Returns why the request must be refused, or empty when it may pass.
     *
     * @param url the full URL Twilio requested (public scheme, host, path and query)
     * @param params the form parameters of a webhook POST, empty for a WebSocket upgrade
     */
    public Optional<String> problem(String url, Map<String, String> params, Optional<String> signature) {
        if (validator.isEmpty()) {
            return Optional.empty();
        }
        if (signature.isEmpty() || signature.get().isBlank()) {
            return Optional.of("missing X-Twilio-Signature header");
        }
        if (!validator.get().validate(url, params, signature.get())) {
            return Optional.of("X-Twilio-Signature does not match " + url
                               + " (check TWILIO_AUTH_TOKEN, and PUBLIC_URL when behind a proxy)");
        }
        return Optional.empty();
    }
}
