package dev.dialtone.store;

/** A database server for the store's tests: fresh empty databases on it, directly or by network. */
interface TestDatabase {

    /** A JDBC URL of a new, empty database (no tables) on this server. */
    String newDatabaseUrl() throws Exception;

    /** Port of the server, for a proxy to forward to. */
    int serverPort();

    /** A JDBC URL of a new, empty database reached through a proxy on {@code proxyPort}. */
    String newDatabaseUrlVia(int proxyPort) throws Exception;

    /** A URL of this kind whose server is not there. */
    String newUnreachableUrl();

    /** {@code url} with {@code password} written into it, as this database's URLs allow. */
    String withPasswordInUrl(String url, String password);
}
