package dev.dialtone.store;

import java.util.Objects;

/** Argument checks shared by the store's records, so that bad input fails where it is made. */
final class Require {

    private Require() {
    }

    static String sid(String sid) {
        Objects.requireNonNull(sid, "call sid");
        if (sid.isBlank() || sid.length() > 64) {
            throw new IllegalArgumentException("call sid must be 1 to 64 characters, got '" + sid + "'");
        }
        return sid;
    }

    static String text(String value, String what, int maxLength) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.length() > maxLength) {
            throw new IllegalArgumentException(what + " must be 1 to " + maxLength + " characters");
        }
        return value;
    }

    /** {@code value}, or "" for null, refused when longer than the column that keeps it. */
    static String atMost(String value, String what, int maxLength) {
        if (value == null) {
            return "";
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(what + " must be at most " + maxLength + " characters, got "
                    + value.length());
        }
        return value;
    }

    static long nonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got " + value);
        }
        return value;
    }

    static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
