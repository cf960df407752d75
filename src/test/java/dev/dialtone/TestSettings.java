package dev.dialtone;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Settings for tests: config.yaml defaults with the given environment variables on top. */
public final class TestSettings {
    public static final String AUTH_TOKEN = "test-auth-token";
    public static final String ACCOUNT_SID = "AC" + "1".repeat(32);

    private TestSettings() {
    }

    /** The repository's config.yaml, with a Twilio token and the given variables. */
    public static Settings with(Map<String, String> env) {
        var all = new HashMap<String, String>();
        all.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        all.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        all.put("DIALTONE_DB", "jdbc:h2:mem:test-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        all.putAll(env);
        return Settings.load(Path.of("config.yaml"), all);
    }

    public static Settings signed() {
        return with(Map.of());
    }
}
