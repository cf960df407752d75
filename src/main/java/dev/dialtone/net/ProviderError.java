package dev.dialtone.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * A typed failure of an external speech or language provider, shared by the {@code llm} and
 * {@code speech} packages so the conversation can choose what to say (retry, apologise, hand over).
 *
 * <p>{@code message} is written by our clients from status codes and provider error texts; it never
 * contains an API key or a request header.
 *
 * @param kind      what went wrong, coarse enough to act on
 * @param provider  which provider failed, e.g. "deepgram", "openai"
 * @param message   a human-readable explanation, safe to log
 * @param retryable whether trying the same request again may succeed
 */
public record ProviderError(Kind kind, String provider, String message, boolean retryable) {

    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        /** The key was refused (HTTP 401/403): retrying will not help. */
        AUTH,
        /** The provider asked us to slow down (HTTP 429). */
        RATE_LIMIT,
        /** The provider failed (HTTP 5xx, or an error event inside an open stream). */
        SERVER,
        /** The provider answered something we cannot understand (bad JSON, wrong content type, 4xx). */
        PROTOCOL,
        /** A connect or idle timeout expired. */
        TIMEOUT,
        /** The connection was refused or dropped. */
        NETWORK
    }

    public ProviderError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(message, "message");
    }

    /** Maps an HTTP status of a refused request to its error; {@code body} is a short provider text. */
    public static ProviderError ofStatus(String provider, int status, String body) {
        var detail = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
        return switch (status) {
            case 401, 403 -> new ProviderError(Kind.AUTH, provider, detail, false);
            case 408 -> new ProviderError(Kind.TIMEOUT, provider, detail, true);
            case 429 -> new ProviderError(Kind.RATE_LIMIT, provider, detail, true);
            default -> status >= 500
                    ? new ProviderError(Kind.SERVER, provider, detail, true)
                    : new ProviderError(Kind.PROTOCOL, provider, detail, false);
        };
    }

    /** Maps a transport exception (connect, read, handshake) to its error. */
    public static ProviderError ofException(String provider, Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return new ProviderError(Kind.TIMEOUT, provider, "timed out", true);
        }
        if (e instanceof ProtocolException || e.getCause() instanceof ProtocolException) {
            return new ProviderError(Kind.PROTOCOL, provider, "not a valid HTTP/WebSocket response", false);
        }
        if (e instanceof ConnectException) {
            return new ProviderError(Kind.NETWORK, provider, "connection refused", true);
        }
        if (e instanceof IOException) {
            return new ProviderError(Kind.NETWORK, provider,
                    "connection failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + abbreviate(e.getMessage())), true);
        }
        return new ProviderError(Kind.PROTOCOL, provider, "unreadable response: " + e.getClass().getSimpleName(), false);
    }

    /** Keeps provider texts short enough for a log line. */
    public static String abbreviate(String text) {
        var flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }
}
