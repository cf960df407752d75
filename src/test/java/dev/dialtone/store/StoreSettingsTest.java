package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings from the environment, their checks, and that no password is ever shown. */
class StoreSettingsTest {

    @Test
    void withoutEnvironmentTheStoreIsAnH2FileUnderData() {
        var settings = StoreSettings.fromEnvironment(Map.of());
        assertThat(settings.url()).startsWith("jdbc:h2:file:./data/");
        assertThat(settings.retention()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void theEmbeddedDatabaseFollowsTheDataFolder() {
        assertThat(StoreSettings.embeddedUrl(Path.of("./data"))).isEqualTo(StoreSettings.DEFAULT_URL);
        // H2 refuses a path implicitly relative to the working directory
        assertThat(StoreSettings.embeddedUrl(Path.of("var/data"))).startsWith("jdbc:h2:file:./var/data/dialtone;");
        assertThat(StoreSettings.embeddedUrl(Path.of("/srv/dialtone"))).startsWith("jdbc:h2:file:/srv/dialtone/dialtone;");
        assertThatThrownBy(() -> StoreSettings.embeddedUrl(Path.of("/srv/a;INIT=x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environmentNamesPostgresCredentialsAndRetention() {
        var settings = StoreSettings.fromEnvironment(Map.of("DIALTONE_DB", "jdbc:postgresql://db:5432/dialtone",
                "DIALTONE_DB_USER", "dialtone", "DIALTONE_DB_PASSWORD", "hunter2", "DIALTONE_RETENTION_DAYS", "0"));
        assertThat(settings.url()).isEqualTo("jdbc:postgresql://db:5432/dialtone");
        assertThat(settings.user()).isEqualTo("dialtone");
        assertThat(settings.password()).isEqualTo("hunter2");
        assertThat(settings.retention()).isZero();
        assertThat(settings.toString()).doesNotContain("hunter2");
    }

    @Test
    void aPasswordInTheUrlIsMasked() {
        var settings = StoreSettings.defaults().withUrl("jdbc:postgresql://db/dialtone?user=u&password=hunter2&ssl=true");
        assertThat(settings.safeUrl()).isEqualTo("jdbc:postgresql://db/dialtone?user=u&password=***&ssl=true");
        assertThat(settings.toString()).doesNotContain("hunter2");
        assertThat(StoreSettings.defaults().withUrl("jdbc:postgresql://u:hunter2@db/x").safeUrl()).doesNotContain("hunter2");
    }

    @Test
    void aPasswordInTheUrlIsHandedToThePoolApartFromIt() {
        var pg = StoreSettings.defaults().withUrl("jdbc:postgresql://db/x?user=u&password=p%40ss&ssl=true").passwordOutOfUrl();
        assertThat(pg.url()).isEqualTo("jdbc:postgresql://db/x?user=u&ssl=true");
        assertThat(pg.password()).isEqualTo("p@ss");
        var first = StoreSettings.defaults().withUrl("jdbc:postgresql://db/x?password=p&ssl=true").passwordOutOfUrl();
        assertThat(first.url()).isEqualTo("jdbc:postgresql://db/x?ssl=true");
        var h2 = StoreSettings.defaults().withUrl("jdbc:h2:file:./d;PASSWORD=p;WRITE_DELAY=0").passwordOutOfUrl();
        assertThat(h2.url()).isEqualTo("jdbc:h2:file:./d;WRITE_DELAY=0");
        assertThat(h2.password()).isEqualTo("p");
        var explicit = StoreSettings.defaults().withUrl("jdbc:postgresql://db/x?password=p")
                .withCredentials("u", "q").passwordOutOfUrl();
        assertThat(explicit.url()).isEqualTo("jdbc:postgresql://db/x");
        assertThat(explicit.password()).isEqualTo("q");
        var none = StoreSettings.defaults();
        assertThat(none.passwordOutOfUrl()).isSameAs(none);
    }

    @Test
    void badSettingsAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> StoreSettings.defaults().withUrl("jdbc:mysql://db/x?password=hunter2"))
                .hasMessageContaining("jdbc:h2:").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> StoreSettings.fromEnvironment(Map.of("DIALTONE_RETENTION_DAYS", "a week")))
                .hasMessageContaining("DIALTONE_RETENTION_DAYS");
        assertThatThrownBy(() -> StoreSettings.defaults().withQueue(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queriesAndRecordsCheckTheirInput() {
        assertThatThrownBy(() -> CallQuery.all().withPage(0, 0)).hasMessageContaining("limit");
        assertThatThrownBy(() -> CallQuery.all().withPage(10, -1)).hasMessageContaining("offset");
        assertThatThrownBy(() -> new CallEnd("CA1", CallStoreContract.T0, "x", CallStatus.ACTIVE))
                .hasMessageContaining("ACTIVE");
        assertThatThrownBy(() -> new TurnRecord(" ", 0, "", "", false, null, null)).hasMessageContaining("sid");
        assertThat(CallQuery.all().withFlow("  ").flow()).isNull();
        assertThatThrownBy(() -> new CallStart("CA1", "f", "v", "sip:" + "a".repeat(300), "", Direction.INBOUND,
                CallStoreContract.T0)).hasMessageContaining("from must be at most 255");
    }
}
