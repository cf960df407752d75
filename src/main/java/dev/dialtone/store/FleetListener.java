package dev.dialtone.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;

import org.postgresql.PGConnection;

/**
 * Hears the other instances: one PostgreSQL connection of its own (a pooled one would be handed
 * to others between LISTEN and the notifications), on a platform thread, LISTENing on the fleet's
 * channel. A lost connection is opened again after a second; what was sent meanwhile is missed
 * (the live feed is best effort: the console reloads the lists it shows). Messages this instance
 * sent itself are dropped here.
 */
final class FleetListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FleetListener.class.getName());
    private static final int POLL_MS = 500;
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final StoreSettings settings;
    private final String ownPrefix;
    private volatile boolean closed;
    private volatile Thread thread;

    FleetListener(StoreSettings settings, String instanceId) {
        this.settings = settings;
        this.ownPrefix = instanceId + " ";
    }

    synchronized void start(Consumer<String> receiver) {
        if (thread == null && !closed) {
            thread = Thread.ofPlatform().daemon().name("fleet-listener").start(() -> run(receiver));
        }
    }

    private void run(Consumer<String> receiver) {
        boolean warned = false;
        while (!closed) {
            try (var c = connect(); var s = c.createStatement()) {
                s.execute("LISTEN " + Fleet.CHANNEL);
                if (warned) {
                    LOG.log(System.Logger.Level.INFO, "Fleet: listening to the other instances again");
                    warned = false;
                }
                var pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var notifications = pg.getNotifications(POLL_MS);
                    if (notifications == null) {
                        continue;
                    }
                    for (var n : notifications) {
                        deliver(receiver, n.getParameter());
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                if (!warned) {
                    LOG.log(System.Logger.Level.WARNING, "Fleet: not hearing the other instances (" + Database.rootMessage(e)
                            + "); trying again every " + RETRY.toSeconds() + " s");
                    warned = true;
                }
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void deliver(Consumer<String> receiver, String payload) {
        int space = payload.indexOf(' ');
        if (space < 0 || payload.startsWith(ownPrefix)) {
            return;
        }
        try {
            receiver.accept(payload.substring(space + 1));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Fleet: a message from " + payload.substring(0, space) + " failed: " + e);
        }
    }

    private Connection connect() throws SQLException {
        var properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
        properties.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(settings.url(), properties);
    }

    @Override
    public void close() {
        closed = true;
        var t = thread;
        if (t != null) {
            try {
                t.join(Duration.ofMillis(POLL_MS * 4L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
