package dev.dialtone.store;

/** {@link FlowVersionContract} on a real PostgreSQL started by the tests. */
class PostgresFlowVersionTest extends FlowVersionContract {

    @Override
    TestDatabase database() {
        return PostgresTestDatabase.shared();
    }
}
