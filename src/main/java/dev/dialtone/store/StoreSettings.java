package dev.dialtone.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach the database and how the store behaves when it is slow or away. The password is
 * never shown: {@link #toString()} and {@link #safeUrl()} hide it (also when it is in the URL).
 *
 * @param url             JDBC URL; the default is an H2 file under ./data
 * @param user            database user, or null when the URL carries it (or H2's default)
 * @param password        database password, or null
 * @param queueLimit      records kept in memory while the database is slow or down; beyond it
 *                        new records are dropped and counted
 * @param batchSize       records written in one transaction at most
 * @param connectTimeout  how long one attempt waits for a connection
 * @param retryMin        first wait after a failed write; doubled up to {@code retryMax}
 * @param retryMax        longest wait between retries
 * @param flushTimeout    how long {@code close()} waits for queued records to be written
 * @param retention       how long calls are kept; {@link Duration#ZERO} keeps them forever
 * @param purgeInterval   how often the retention purge runs
 */
public record StoreSettings(String url, String user, String password, int queueLimit, int batchSize,
                            Duration connectTimeout, Duration retryMin, Duration retryMax,
                            Duration flushTimeout, Duration retention, Duration purgeInterval) {

    /**
     * Embedded H2 in ./data. The database outlives the JVM's shutdown hooks until close() has
     * flushed the recorder, and each commit reaches the file at once (H2 would otherwise delay it
     * by up to half a second, which a crash would lose).
     */
    public static final String DEFAULT_URL = "jdbc:h2:file:./data/dialtone;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    private static final String H2_OPTIONS = ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/@:]+:)[^/@]*@");
    private static final Pattern URL_PASSWORD_PARAM = Pattern.compile("(?i)([?&;])password=([^&;]*)");

    public StoreSettings {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database URL must be jdbc:h2:... or jdbc:postgresql:..., got "
                    + mask(url));
        }
        if (queueLimit < 1 || batchSize < 1) {
            throw new IllegalArgumentException("queueLimit and batchSize must be at least 1");
        }
        for (var d : new Duration[] {connectTimeout, retryMin, retryMax, flushTimeout, retention, purgeInterval}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("store durations must be set and not negative");
            }
        }
        if (connectTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectTimeout must be at least 250 ms (the pool's floor)");
        }
        if (retryMax.compareTo(retryMin) < 0 || purgeInterval.isZero()) {
            throw new IllegalArgumentException("retryMax must be >= retryMin and purgeInterval above zero");
        }
    }

    /** H2 under ./data, 10,000 records of buffer, 30 days of retention purged hourly. */
    public static StoreSettings defaults() {
        return new StoreSettings(DEFAULT_URL, null, null, 10_000, 200, Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofDays(30),
                Duration.ofHours(1));
    }

    /**
     * Defaults overridden by {@code DIALTONE_DB} (a JDBC URL), {@code DIALTONE_DB_USER},
     * {@code DIALTONE_DB_PASSWORD} and {@code DIALTONE_RETENTION_DAYS} (0 keeps calls forever).
     */
    public static StoreSettings fromEnvironment(Map<String, String> env) {
        var settings = defaults();
        var url = env.get("DIALTONE_DB");
        if (url != null && !url.isBlank()) {
            settings = settings.withUrl(url.strip());
        }
        if (env.containsKey("DIALTONE_DB_USER") || env.containsKey("DIALTONE_DB_PASSWORD")) {
            settings = settings.withCredentials(env.get("DIALTONE_DB_USER"), env.get("DIALTONE_DB_PASSWORD"));
        }
        var days = env.get("DIALTONE_RETENTION_DAYS");
        if (days != null && !days.isBlank()) {
            try {
                settings = settings.withRetention(Duration.ofDays(Long.parseLong(days.strip())));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("DIALTONE_RETENTION_DAYS must be a whole number of days, got '"
                        + days + "'", e);
            }
        }
        return settings;
    }

    /** The embedded H2 database's URL in {@code folder} (the server's data folder), with the options of {@link #DEFAULT_URL}. */
    public static String embeddedUrl(Path folder) {
        // H2 refuses a path implicitly relative to the working directory: a relative one starts with ./
        var normal = folder.normalize();
        var path = (normal.isAbsolute() ? normal.toString() : "./" + normal).replace('\\', '/');
        if (path.contains(";")) {
            throw new IllegalArgumentException("the data folder's path cannot contain ';' (H2 reads it as an option): " + path);
        }
        return "jdbc:h2:file:" + path + "/dialtone" + H2_OPTIONS;
    }

    public StoreSettings withUrl(String url) {
        return new StoreSettings(url, user, password, queueLimit, batchSize, connectTimeout, retryMin, retryMax,
                flushTimeout, retention, purgeInterval);
    }

    public StoreSettings withCredentials(String user, String password) {
        return new StoreSettings(url, user, password, queueLimit, batchSize, connectTimeout, retryMin, retryMax,
                flushTimeout, retention, purgeInterval);
    }

    public StoreSettings withQueue(int queueLimit, int batchSize) {
        return new StoreSettings(url, user, password, queueLimit, batchSize, connectTimeout, retryMin, retryMax,
                flushTimeout, retention, purgeInterval);
    }

    public StoreSettings withTimeouts(Duration connectTimeout, Duration retryMin, Duration retryMax,
                                      Duration flushTimeout) {
        return new StoreSettings(url, user, password, queueLimit, batchSize, connectTimeout, retryMin, retryMax,
                flushTimeout, retention, purgeInterval);
    }

    public StoreSettings withRetention(Duration retention) {
        return new StoreSettings(url, user, password, queueLimit, batchSize, connectTimeout, retryMin, retryMax,
                flushTimeout, retention, purgeInterval);
    }

    public StoreSettings withPurgeInterval(Duration purgeInterval) {
        return new StoreSettings(url, user, password, queueLimit, batchSize, connectTimeout, retryMin, retryMax,
                flushTimeout, retention, purgeInterval);
    }

    /** The URL with any password in it replaced by ***, fit for logs and errors. */
    public String safeUrl() {
        return mask(url);
    }

    @Override
    public String toString() {
        return "StoreSettings[url=" + safeUrl() + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", queueLimit=" + queueLimit + ", batchSize=" + batchSize + ", connectTimeout=" + connectTimeout
                + ", retry=" + retryMin + ".." + retryMax + ", flushTimeout=" + flushTimeout
                + ", retention=" + retention + ", purgeInterval=" + purgeInterval + "]";
    }

    /**
     * These settings with a password written in the URL moved out of it into {@link #password()},
     * so that no driver or pool can show it when it prints its URL or connections. An explicit
     * password wins over the one in the URL.
     */
    StoreSettings passwordOutOfUrl() {
        var m = URL_PASSWORD_PARAM.matcher(url);
        if (!m.find()) {
            return this;
        }
        var inUrl = url.startsWith("jdbc:postgresql:") ? URLDecoder.decode(m.group(2), StandardCharsets.UTF_8)
                : m.group(2);
        var before = url.substring(0, m.start());
        var after = url.substring(m.end());
        var stripped = m.group(1).equals("?")
                ? before + (after.startsWith("&") ? "?" + after.substring(1) : after)
                : before + after;
        return new StoreSettings(stripped, user, password != null ? password : inUrl, queueLimit, batchSize,
                connectTimeout, retryMin, retryMax, flushTimeout, retention, purgeInterval);
    }

    private static String mask(String url) {
        var masked = URL_PASSWORD.matcher(url).replaceAll("$1***");
        return URL_USERINFO.matcher(masked).replaceAll("$1***@");
    }
}
