package dev.dialtone.store;

/** The store could not do what was asked: the database cannot be opened, migrated or read. */
public final class StoreException extends RuntimeException {

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
