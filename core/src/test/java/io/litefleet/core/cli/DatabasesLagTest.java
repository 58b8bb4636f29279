package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.engine.FileStats;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litefleet databases --catalog} shows each database's lag from the catalog and two stats: zero while the
 * file is as the last sync recorded it, the time since that sync once it changed, none when it is gone.
 */
class DatabasesLagTest {
    @TempDir
    Path dir;

    private static void insert(Path db, String v) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE IF NOT EXISTS t(v)",
                    "INSERT INTO t VALUES ('" + v + "')");
        }
    }

    @Test
    void lag_isZeroInSync_timeSinceLastSyncWhenChanged_noneWhenGone() throws Exception {
        Path db = dir.resolve("a.db");
        insert(db, "x");
        Instant synced = Instant.parse("2026-01-01T00:00:00Z");
        Instant now = synced.plusSeconds(95);
        Catalog.DatabaseRow row = new Catalog.DatabaseRow(db.toString(), "cold", "file:///r/a", 1, synced, 0, 0, 1);
        var recorded = FileStats.of(db);
        assertEquals(Optional.of(Duration.ZERO), DatabasesCommand.lag(row, recorded, now));
        insert(db, "y");
        assertEquals(Optional.of(Duration.ofSeconds(95)), DatabasesCommand.lag(row, recorded, now));
        Catalog.DatabaseRow deleted = new Catalog.DatabaseRow(db.toString(), "deleted", "file:///r/a", 1, synced, 0, 0,
                1);
        assertEquals(Optional.empty(), DatabasesCommand.lag(deleted, FileStats.of(db), now));
        Files.delete(db);
        assertEquals(Optional.empty(), DatabasesCommand.lag(row, FileStats.of(db), now), "gone since");
        assertEquals("3m07s", DatabasesCommand.shortDuration(Duration.ofSeconds(187)));
        assertEquals("2d03h", DatabasesCommand.shortDuration(Duration.ofHours(51)));
    }

    @Test
    void catalogListing_showsLagAndLastSync_textAndJson() throws Exception {
        Path tenants = Files.createDirectories(dir.resolve("data/tenants"));
        Path db = tenants.resolve("t1.db");
        insert(db, "x");
        Path config = Files.writeString(dir.resolve("fleet.yml"), """
                state-dir: %1$s/state
                multi-db:
                  patterns: ["%2$s/*.db"]
                  replica-template: {type: file, path: "%1$s/replica/{{tenant}}"}
                """.formatted(dir, tenants));
        FleetCapture.captureAll(config, 1);
        CliRun json = CliRun.of("databases", "-config", config.toString(), "--catalog", "--json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"lastSync\":\"") && json.out().contains("\"lagSeconds\":0.000"),
                "captured and unchanged since: in sync " + json.out());
        CliRun text = CliRun.of("databases", "-config", config.toString(), "--catalog");
        assertTrue(text.out().lines().findFirst().orElseThrow().contains("LAST SYNC") && text.out().contains(" LAG "),
                text.out());
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        CliRun gone = CliRun.of("databases", "-config", config.toString(), "--catalog", "--json");
        assertTrue(gone.out().contains("\"lagSeconds\":null"), gone.out());
    }
}
