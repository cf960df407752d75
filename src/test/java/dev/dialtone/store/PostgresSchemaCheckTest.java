package dev.dialtone.store;

/** {@link SchemaCheckContract} on a real PostgreSQL started by the tests. */
class PostgresSchemaCheckTest extends SchemaCheckContract {

    @Override
    TestDatabase database() {
        return PostgresTestDatabase.shared();
    }
}
