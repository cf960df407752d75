package dev.dialtone.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Opens the connection pool and brings the schema up to date (Flyway, the scripts under
 * db/migration, the same on H2 and PostgreSQL; skipped when {@link SchemaCheck} finds every script
 * applied already); tells a database outage from a bad record.
 */
final class Database {

    private static final System.Logger LOG = System.getLogger(Database.class.getName());
    private static final int POOL_SIZE = 4; // one writer, the purge, and admin reads

    private Database() {
    }

    static HikariDataSource open(StoreSettings settings) {
        var config = new HikariConfig();
        var connection = settings.passwordOutOfUrl();
        config.setJdbcUrl(connection.url());
        if (connection.user() != null) {
            config.setUsername(connection.user());
        }
        if (connection.password() != null) {
            config.setPassword(connection.password());
        }
        config.setPoolName("dialtone-store");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(settings.connectTimeout().toMillis());
        config.setValidationTimeout(Math.max(250, settings.connectTimeout().toMillis() / 2));
        config.setInitializationFailTimeout(settings.connectTimeout().toMillis());
        // Hikari evicts a broken connection only for the SQL states it knows (H2 reports a broken
        // session as 90067); without this, a retry within half a second gets the dead one back.
        config.setExceptionOverride(new SQLExceptionOverride() {
            // no @Override here: inside this class the name means SQLExceptionOverride.Override
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                return isConnectionFailure(e) ? SQLExceptionOverride.Override.MUST_EVICT
                                              : SQLExceptionOverride.Override.CONTINUE_EVICT;
            }
        });
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
            throw new StoreException("cannot open the database " + settings.safeUrl() + ": " + rootMessage(e), e);
        }
        if (SchemaCheck.upToDate(pool)) {
            LOG.log(System.Logger.Level.INFO, () -> "Store on " + settings.safeUrl() + ": schema up to date ("
                    + SchemaCheck.MIGRATIONS.size() + " migrations)");
            return pool;
        }
        try {
            var result = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            LOG.log(System.Logger.Level.INFO, () -> "Store on " + settings.safeUrl() + ": schema at version " + result.targetSchemaVersion
                    + " (" + result.migrationsExecuted + " migrations applied now)");
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("cannot migrate the database " + settings.safeUrl() + ": " + rootMessage(e), e);
        }
        return pool;
    }

    /**
     * True when {@code e} means the database cannot be reached (so the write is retried later),
     * false when the statement itself was refused (so retrying it would fail again). When the
     * exception does not say, a fresh connection is tried.
     */
    static boolean isOutage(SQLException e, DataSource pool) {
        if (isConnectionFailure(e)) {
            return true;
        }
        try (Connection probe = pool.getConnection()) {
            return !probe.isValid(1);
        } catch (SQLException probeFailed) {
            return true;
        }
    }

    /** True when {@code e} (or a cause) says the connection, not the statement, failed. */
    static boolean isConnectionFailure(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        var root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
