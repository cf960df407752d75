package dev.dialtone.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.h2.tools.Server;

/**
 * H2, the default: embedded database files as the server opens them, plus an H2 TCP server for
 * tests that need a network between the store and its database. One per test class.
 */
final class H2TestDatabase implements TestDatabase, AutoCloseable {

    private final Path dir;
    private final Server tcp;
    private final AtomicInteger databases = new AtomicInteger();

    private H2TestDatabase(Path dir, Server tcp) {
        this.dir = dir;
        this.tcp = tcp;
    }

    static H2TestDatabase start() throws IOException, SQLException {
        var dir = Files.createTempDirectory("dialtone-h2-");
        var tcp = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-ifNotExists",
                "-baseDir", dir.resolve("tcp").toString()).start();
        return new H2TestDatabase(dir, tcp);
    }

    @Override
    public String newDatabaseUrl() {
        // The options of StoreSettings.DEFAULT_URL, in a file of its own.
        return "jdbc:h2:file:" + dir.resolve("db" + databases.incrementAndGet()) + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    @Override
    public int serverPort() {
        return tcp.getPort();
    }

    @Override
    public String newDatabaseUrlVia(int proxyPort) {
        return "jdbc:h2:tcp://127.0.0.1:" + proxyPort + "/net" + databases.incrementAndGet();
    }

    @Override
    public String newUnreachableUrl() {
        return "jdbc:h2:tcp://127.0.0.1:1/nowhere";
    }

    @Override
    public String withPasswordInUrl(String url, String password) {
        return url + ";USER=sa;PASSWORD=" + password;
    }

    @Override
    public void close() throws IOException {
        tcp.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (var path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
