package dev.dialtone.store;

/** {@link CallStoreContract} on a real PostgreSQL started by the tests. */
class PostgresCallStoreTest extends CallStoreContract {

    @Override
    TestDatabase database() {
        return PostgresTestDatabase.shared();
    }
}
