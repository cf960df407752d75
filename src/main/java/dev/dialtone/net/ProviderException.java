package dev.dialtone.net;

/**
 * Carries a {@link ProviderError} through code that fails by throwing (connects, HTTP calls);
 * clients turn it into a {@code Failed} event before it reaches the conversation.
 */
public final class ProviderException extends Exception {
    private final ProviderError error;

    public ProviderException(ProviderError error) {
        super(error.provider() + " " + error.kind() + ": " + error.message(), null, false, false);
        this.error = error;
    }

    public ProviderError error() {
        return error;
    }
}
