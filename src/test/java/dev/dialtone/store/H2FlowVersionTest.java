package dev.dialtone.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link FlowVersionContract} on H2, the store's default database. */
class H2FlowVersionTest extends FlowVersionContract {

    private static H2TestDatabase database;

    @BeforeAll
    static void startDatabase() throws Exception {
        database = H2TestDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        database.close();
    }

    @Override
    TestDatabase database() {
        return database;
    }
}
