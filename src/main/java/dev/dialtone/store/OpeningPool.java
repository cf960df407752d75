package dev.dialtone.store;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The store's connection pool, usable at once while the database opens and migrates on a thread of
 * its own ({@link Database#open}): the server listens meanwhile. A connection asked for before the
 * database is open waits for it, at most the connect time-out, after which it fails as an outage
 * does (the recorder keeps its records and retries). If the database cannot be opened, every
 * request fails with the reason, and {@link #opened()} says so for the server's start to stop.
 */
final class OpeningPool implements DataSource, AutoCloseable {

    private final CompletableFuture<HikariDataSource> pool;
    private final Duration wait;

    private OpeningPool(CompletableFuture<HikariDataSource> pool, Duration wait) {
        this.pool = pool;
        this.wait = wait;
    }

    /** Starts opening the database on a platform thread (opening is CPU, not waiting). */
    static OpeningPool open(StoreSettings settings) {
        var pool = new CompletableFuture<HikariDataSource>();
        Thread.ofPlatform().name("store-open").daemon().start(() -> {
            try {
                pool.complete(Database.open(settings));
            } catch (Throwable e) {
                pool.completeExceptionally(e);
            }
        });
        return new OpeningPool(pool, settings.connectTimeout());
    }

    /** A pool that is open already. */
    static OpeningPool of(HikariDataSource open, Duration wait) {
        return new OpeningPool(CompletableFuture.completedFuture(open), wait);
    }

    /** Completes when the database is open and migrated; exceptionally with the {@link StoreException} if it cannot be. */
    CompletableFuture<Void> opened() {
        return pool.thenApply(open -> null);
    }

    boolean isOpen() {
        return pool.isDone() && !pool.isCompletedExceptionally();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return ready().getConnection();
    }

    private HikariDataSource ready() throws SQLException {
        try {
            return pool.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SQLTransientConnectionException("the database is still opening");
        } catch (ExecutionException e) {
            throw new SQLNonTransientConnectionException("the database could not be opened: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while the database opens", e);
        }
    }

    /** Closes the pool, now or, if it is still opening, as soon as it has opened. */
    @Override
    public void close() {
        pool.thenAccept(HikariDataSource::close);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the store's pool has its own credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        throw new SQLFeatureNotSupportedException("no log writer");
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("the connect time-out is the store's setting");
    }

    @Override
    public int getLoginTimeout() {
        return (int) wait.toSeconds();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging parent");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
