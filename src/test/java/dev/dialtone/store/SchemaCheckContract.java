package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The start-up shortcut past Flyway: taken only for a database that has every bundled migration,
 * unchanged, and nothing else; every other database goes through Flyway, which migrates or refuses.
 */
abstract class SchemaCheckContract extends StoreTestBase {

    @Test
    void aDatabaseFlywayHasMigratedIsUpToDateByTheSameChecksums() throws Exception {
        try (var pool = Database.open(settings(newDatabaseUrl()))) {
            assertThat(SchemaCheck.upToDate(pool)).isTrue();
        }
    }

    @Test
    void aNewDatabaseIsNotUpToDate() throws Exception {
        var config = new HikariConfig();
        config.setJdbcUrl(newDatabaseUrl());
        try (var pool = new HikariDataSource(config)) {
            assertThat(SchemaCheck.upToDate(pool)).isFalse();
        }
    }

    @Test
    void aScriptEditedSinceItWasAppliedSendsTheStartThroughFlywayWhichRefusesIt() throws Exception {
        var url = newDatabaseUrl();
        try (var pool = Database.open(settings(url))) {
            execute(pool, "UPDATE \"flyway_schema_history\" SET \"checksum\" = \"checksum\" + 1 WHERE \"version\" = '3'");
            assertThat(SchemaCheck.upToDate(pool)).isFalse();
        }
        assertThatThrownBy(() -> Database.open(settings(url))).isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot migrate");
    }

    @Test
    void aPendingMigrationIsNotUpToDateAndIsAppliedAtTheNextStart() throws Exception {
        var url = newDatabaseUrl();
        try (var pool = Database.open(settings(url))) {
            execute(pool, "DROP TABLE webhook_deliveries");
            execute(pool, "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '5'");
            assertThat(SchemaCheck.upToDate(pool)).isFalse();
        }
        try (var pool = Database.open(settings(url))) {
            assertThat(SchemaCheck.upToDate(pool)).isTrue();
            execute(pool, "SELECT COUNT(*) FROM webhook_deliveries");
        }
    }

    @Test
    void aFailedMigrationOrOneThisBuildDoesNotKnowIsNotUpToDate() throws Exception {
        try (var pool = Database.open(settings(newDatabaseUrl()))) {
            execute(pool, "UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '5'");
            assertThat(SchemaCheck.upToDate(pool)).isFalse();
        }
        try (var pool = Database.open(settings(newDatabaseUrl()))) {
            execute(pool, "INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\","
                          + " \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\")"
                          + " VALUES (100, '99', 'from a newer build', 'SQL', 'V99__newer.sql', 1, 'sa', 1, TRUE)");
            assertThat(SchemaCheck.upToDate(pool)).isFalse();
        }
    }

    @Test
    void theListOfMigrationsIsTheFolderInFlywaysOrder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            var names = files.map(p -> p.getFileName().toString())
                    .sorted(Comparator.comparing(SchemaCheckContract::version, SchemaCheckContract::compareVersions))
                    .toList();
            assertThat(SchemaCheck.MIGRATIONS).containsExactlyElementsOf(names);
        }
    }

    private static String version(String script) {
        return script.substring(1, script.indexOf("__"));
    }

    private static int compareVersions(String a, String b) {
        var left = a.split("_");
        var right = b.split("_");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            int l = i < left.length ? Integer.parseInt(left[i]) : 0;
            int r = i < right.length ? Integer.parseInt(right[i]) : 0;
            if (l != r) {
                return Integer.compare(l, r);
            }
        }
        return 0;
    }

    private static void execute(HikariDataSource pool, String sql) throws SQLException {
        try (var c = pool.getConnection(); var statement = c.createStatement()) {
            statement.execute(sql);
        }
    }
}
