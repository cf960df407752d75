package dev.dialtone;

/**
 * A credential (API key, auth token). Its {@code toString} never shows the value, so that a
 * secret printed by accident in a log line or an error message stays secret.
 */
public record Secret(String value) {
    public Secret {
        value = value == null ? "" : value;
    }

    public boolean isSet() {
        return !value.isEmpty();
    }

    @Override
    public String toString() {
        return isSet() ? "****" : "(unset)";
    }
}
