package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code litefleet verify}: restore, integrity check, comparison with the source, window, selection, failures. */
class VerifyCommandTest {
    @TempDir
    Path dir;

    /** A captured fleet of 2 projects x 3 tenants; returns its config. */
    private Path fleet() throws Exception {
        BulkRestoreTest.create(dir.resolve("data"), List.of("acme", "globex"));
        Path config = BulkRestoreTest.fleetConfig(dir.resolve("litefleet.yml"), dir.resolve("state"),
                dir.resolve("data"), dir.resolve("replica") + "/{{project}}/{{tenant}}");
        FleetCapture.captureAll(config, 6);
        return config;
    }

    private static CliRun verify(Path config, String... more) {
        return CliRun.of(Stream.concat(Stream.of("verify", "-config", config.toString()), Stream.of(more))
                .toArray(String[]::new));
    }

    @Test
    void all_equalToSources_withWindow_exitZero() throws Exception {
        Path config = fleet();
        CliRun r = verify(config, "-json");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("\"verified\": 6,") && r.out().contains("\"failed\": 0,"), r.out());
        assertEquals(6, r.out().split("\"source\": \"equal\"", -1).length - 1, r.out());
        assertFalse(r.out().contains("\"oldest_restorable\": \"\""), r.out());
        assertTrue(r.err().contains("verified 6 databases: 6 ok, 0 failed"), r.err());
    }

    @Test
    void sourceWrittenAfterSync_isSourceNewer_butDivergedUnmodifiedSource_fails() throws Exception {
        Path config = fleet();
        Path newer = dir.resolve("data/acme/tenants/t0.db");
        try (Connection c = SqliteFiles.open(newer)) {
            SqliteFiles.exec(c, "INSERT INTO t VALUES ('after the sync')");
        }
        CliRun r = verify(config, newer.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("source: source newer"), r.out());

        Path diverged = dir.resolve("data/acme/tenants/t1.db");
        try (Connection c = SqliteFiles.open(diverged)) {
            SqliteFiles.exec(c, "PRAGMA wal_checkpoint(TRUNCATE)", "INSERT INTO t VALUES ('never shipped')",
                    "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        FileTime past = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));
        Files.setLastModifiedTime(diverged, past);
        Path wal = diverged.resolveSibling("t1.db-wal");
        if (Files.exists(wal)) {
            Files.setLastModifiedTime(wal, past);
        }
        CliRun d = verify(config, diverged.toString());
        assertEquals(1, d.code(), d.out() + d.err());
        assertTrue(d.out().contains("FAILED " + diverged) && d.out().contains("source: differs"), d.out());
    }

    @Test
    void damagedReplica_failsNamingTheDatabase() throws Exception {
        Path config = fleet();
        try (Stream<Path> files = Files.walk(dir.resolve("replica/globex/t2"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".ltx")).toList()) {
                byte[] b = Files.readAllBytes(f);
                b[b.length / 2] ^= 0x55;
                Files.write(f, b);
            }
        }
        CliRun r = verify(config, "--prefix", dir.resolve("data/globex").toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAILED " + dir.resolve("data/globex/tenants/t2.db")), r.out());
        assertTrue(r.out().contains("verified 3 databases: 2 ok, 1 failed"), r.out());
    }

    @Test
    void sample_isRepeatableBySeed_andBadArgumentsAreClear() throws Exception {
        Path config = fleet();
        CliRun a = verify(config, "--sample", "2", "--seed", "7");
        CliRun b = verify(config, "--sample", "2", "--seed", "7");
        assertEquals(0, a.code(), a.out() + a.err());
        assertTrue(a.out().contains("verified 2 databases: 2 ok"), a.out());
        assertEquals(a.out().lines().filter(l -> l.startsWith("ok")).map(l -> l.split(" ")[5]).sorted().toList(),
                b.out().lines().filter(l -> l.startsWith("ok")).map(l -> l.split(" ")[5]).sorted().toList());
        assertError(verify(config, "--sample", "0"), "invalid --sample '0'");
        assertError(verify(config, "--sample", "2", "--prefix", "/data"), "mutually exclusive");
        assertError(verify(config, "/nowhere/x.db"), "no replica of /nowhere/x.db");
        assertError(verify(config, "--prefix", "/nowhere/"), "none matches --prefix /nowhere/");
        assertError(verify(dir.resolve("missing.yml")), "missing.yml");
    }

    private static void assertError(CliRun r, String expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}
