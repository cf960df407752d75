package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.dialtone.store.StoreSettings;

/** What Main works out from the settings before it serves: the admin token, the console's address, the store. */
class MainTest {

    @Test
    void withoutATokenSettingTheServerUsesItsOwnFromTheDataFolderAndPrintsItInTheConsoleAddress() throws Exception {
        var settings = TestSettings.with(Map.of());
        var token = Main.resolveAdminToken(settings);
        assertThat(Files.readString(settings.data().resolve("admin-token")).strip()).isEqualTo(token.value());
        assertThat(Main.resolveAdminToken(settings)).as("the same at the next start").isEqualTo(token);
        assertThat(Main.consoleAddress(settings, token, 8080))
                .contains("http://localhost:8080/?token=" + token.value())
                .contains(settings.data().resolve("admin-token").toString());
    }

    @Test
    void anOperatorsTokenIsUsedAndNeverPrinted() {
        var settings = TestSettings.with(Map.of("DIALTONE_ADMIN_TOKEN", "operators-own-token-0123456789"));
        var token = Main.resolveAdminToken(settings);
        assertThat(token.value()).isEqualTo("operators-own-token-0123456789");
        assertThat(Files.exists(settings.data().resolve("admin-token"))).as("no token file").isFalse();
        assertThat(Main.consoleAddress(settings, token, 8080)).contains("http://localhost:8080/")
                                                              .doesNotContain(token.value());
    }

    @Test
    void theEmbeddedDatabaseLivesInTheDataFolder() {
        var settings = TestSettings.with(Map.of("DIALTONE_DB", ""));
        assertThat(Parts.storeSettings(settings).url())
                .isEqualTo(StoreSettings.embeddedUrl(settings.data()))
                .startsWith("jdbc:h2:file:" + settings.data().toString() + "/dialtone;");
    }
}
