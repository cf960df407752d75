package dev.dialtone.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * Tells, with one query, whether a database already has every migration this build carries,
 * unchanged: then the server starts without Flyway, whose own start costs about half a second (a
 * third of the server's start-up budget), on every restart. Anything else (a new database, a
 * pending or failed migration, a script edited since it was applied, a version this build does not
 * know, a history table it cannot read) answers false, and Flyway migrates and validates as usual.
 * The checksum is Flyway's: CRC32 of each line's UTF-8 bytes without line breaks or a leading BOM.
 */
final class SchemaCheck {

    /** The scripts under db/migration, in order; SchemaCheckTest checks the list against the folder. */
    static final List<String> MIGRATIONS = List.of(
            "V1__call_records.sql",
            "V2__flow_versions.sql",
            "V2_1__call_recordings.sql",
            "V3__call_analysis.sql",
            "V4__fleet.sql",
            "V5__webhook_queue.sql");

    private SchemaCheck() {
    }

    /** True when every bundled migration is applied, successfully, with the same checksum, and nothing else is. */
    static boolean upToDate(DataSource pool) {
        var applied = new HashMap<String, Integer>();
        try (var c = pool.getConnection();
             var query = c.prepareStatement("SELECT \"version\", \"checksum\", \"success\" FROM \"flyway_schema_history\""
                                            + " WHERE \"version\" IS NOT NULL");
             var rows = query.executeQuery()) {
            while (rows.next()) {
                if (!rows.getBoolean(3)) {
                    return false;
                }
                int checksum = rows.getInt(2);
                applied.put(rows.getString(1), rows.wasNull() ? null : checksum);
            }
        } catch (SQLException e) {
            return false; // no history table yet (a new database), or one this check cannot read
        }
        return applied.equals(expected());
    }

    /** Version (as Flyway writes it: V2_1 is "2.1") to checksum, for the bundled scripts. */
    static Map<String, Integer> expected() {
        var expected = new HashMap<String, Integer>();
        for (var name : MIGRATIONS) {
            var version = name.substring(1, name.indexOf("__")).replace('_', '.');
            expected.put(version, checksum("db/migration/" + name));
        }
        return expected;
    }

    static int checksum(String resource) {
        var in = SchemaCheck.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing migration " + resource);
        }
        var crc = new CRC32();
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            var line = reader.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = reader.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (int) crc.getValue();
    }
}
