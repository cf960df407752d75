package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    }
}
