package dev.dialtone.store;

/** {@link StoreFailureContract} on a real PostgreSQL started by the tests. */
class PostgresStoreFailureTest extends StoreFailureContract {

    @Override
    TestDatabase database() {
        return PostgresTestDatabase.shared();
    }
}
