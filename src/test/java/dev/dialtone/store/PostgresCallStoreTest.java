package dev.dialtone.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a real PostgreSQL, started once for the class from the binaries that
 * Maven brought (no Docker, no set-up); each test gets a database of its own.
 */
class PostgresCallStoreTest extends CallStoreContract {

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    private static String createDatabase() throws SQLException {
        var name = "calls" + DATABASES.incrementAndGet();
        try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    @Override
    String newDatabaseUrl() throws SQLException {
        return postgres.getJdbcUrl("postgres", createDatabase());
    }

    @Override
    int serverPort() {
        return postgres.getPort();
    }

    @Override
    String newDatabaseUrlVia(int proxyPort) throws SQLException {
        return "jdbc:postgresql://127.0.0.1:" + proxyPort + "/" + createDatabase() + "?user=postgres";
    }

    @Override
    String newUnreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:1/nowhere";
    }
}
