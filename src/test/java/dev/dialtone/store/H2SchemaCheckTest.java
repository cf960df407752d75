package dev.dialtone.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link SchemaCheckContract} on H2 files, as the server opens them. */
class H2SchemaCheckTest extends SchemaCheckContract {

    private static H2TestDatabase database;

    @BeforeAll
    static void start() throws Exception {
        database = H2TestDatabase.start();
    }

    @AfterAll
    static void stop() throws Exception {
        database.close();
    }

    @Override
    TestDatabase database() {
        return database;
    }
}
