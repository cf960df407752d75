package dev.dialtone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Settings for tests: config.yaml defaults with the given environment variables on top. */
public final class TestSettings {
    public static final String AUTH_TOKEN = "test-auth-token";
    public static final String ACCOUNT_SID = "AC" + "1".repeat(32);

    private TestSettings() {
    }

    /**
     * The repository's config.yaml, with a Twilio token, an in-memory database, a fresh data
     * folder (never the developer's ./data: the admin token file goes there) and the given variables.
     */
    public static Settings with(Map<String, String> env) {
        var all = new HashMap<String, String>();
        all.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        all.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        all.put("DIALTONE_DB", "jdbc:h2:mem:test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        all.putAll(env);
        if (!all.containsKey("DIALTONE_DATA")) {
            all.put("DIALTONE_DATA", dataFolder().toString());
        }
        return Settings.load(Path.of("config.yaml"), all);
    }

    /** A new empty folder for a server's data. */
    public static Path dataFolder() {
        try {
            return Files.createTempDirectory("dialtone-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Settings signed() {
        return with(Map.of());
    }
}
