package dev.dialtone.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on H2, the default: embedded files as the server runs them, and an H2 TCP
 * server where a test needs a network between the store and its database.
 */
class H2CallStoreTest extends CallStoreContract {

    @TempDir
    static Path dir;
    private static Server tcp;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @BeforeAll
    static void startTcpServer() throws SQLException {
        tcp = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-ifNotExists",
                "-baseDir", dir.resolve("tcp").toString()).start();
    }

    @AfterAll
    static void stopTcpServer() {
        tcp.stop();
    }

    @Override
    String newDatabaseUrl() {
        // The options of StoreSettings.DEFAULT_URL, in a file of its own.
        return "jdbc:h2:file:" + dir.resolve("db" + DATABASES.incrementAndGet()) + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    @Override
    int serverPort() {
        return tcp.getPort();
    }

    @Override
    String newDatabaseUrlVia(int proxyPort) {
        return "jdbc:h2:tcp://127.0.0.1:" + proxyPort + "/net" + DATABASES.incrementAndGet();
    }

    @Override
    String newUnreachableUrl() {
        return "jdbc:h2:tcp://127.0.0.1:1/nowhere";
    }
}
