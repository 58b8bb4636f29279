package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.Daemon;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback-journal databases: a {@code dbs:} entry is switched to WAL mode and replicated as upstream does
 * (litestream v0.5.16 switches its copy the same way); {@code convert-to-wal: false} refuses it by name while the
 * other databases replicate; fleet mode refuses unless {@code multi-db:} says {@code convert-to-wal: true}.
 */
class WalConversionIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void dbsEntry_byDefault_isSwitchedToWalAndReplicated_asUpstream_bothRestoresEqual() throws Exception {
        Path ours = rollbackDb(dir.resolve("ours.db"));
        Path theirs = rollbackDb(dir.resolve("theirs.db"));
        String log = run("ours", "replicate", "-once", "-config", config(ours, dir.resolve("r-ours"), "").toString());
        assertTrue(log.contains(ours + ": switched from journal_mode=delete to WAL mode"), log);
        assertEquals("wal", SqliteFiles.journalMode(ours));
        var up = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "replicate", "-once",
                "-config", config(theirs, dir.resolve("r-theirs"), "").toString()));
        assertEquals(0, up.exitCode(), up.both());
        assertEquals("wal", SqliteFiles.journalMode(theirs), "litestream switches it too");

        try (Connection c = SqliteFiles.open(ours)) {
            SqliteFiles.exec(c, "INSERT INTO t(v) VALUES ('after the switch')");
        }
        run("ours-again", "replicate", "-once", "-config", config(ours, dir.resolve("r-ours"), "").toString());
        assertEquals("ok", DbContent.integrityCheck(ours));
        BothRestores.assertRestore(dir, dir.resolve("r-ours"), DbContent.hash(ours), "converted database");
    }

    @Test
    void convertOff_isRefusedByName_whileTheOthersReplicate() throws Exception {
        Path rollback = rollbackDb(dir.resolve("rollback.db"));
        Path wal = ItFiles.walDb(dir.resolve("wal.db"), "w");
        Path config = Files.writeString(dir.resolve("mixed.yml"), """
                dbs:
                  - path: %s
                    convert-to-wal: false
                    replica: {type: file, path: %s}
                  - path: %s
                    replica: {type: file, path: %s}
                """.formatted(rollback, dir.resolve("r-rollback"), wal, dir.resolve("r-wal")));
        Path log = dir.resolve("mixed.log");
        Process p = Daemon.start(log, env(), "replicate", "-config", config.toString());
        try {
            Await.until(WAIT, () -> ItFiles.read(log), () -> Files.isDirectory(dir.resolve("r-wal/ltx/0"))
                    && ItFiles.read(log).contains(rollback + ": rollback-journal database (journal_mode=delete), and "
                    + "convert-to-wal is off"));
            try (Connection c = SqliteFiles.open(wal)) {
                SqliteFiles.exec(c, "INSERT INTO t(v) VALUES ('still replicating')");
            }
            p.destroy();
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), ItFiles.read(log));
        } finally {
            PeerProcess.kill(p);
        }
        assertTrue(ItFiles.read(log).contains("Set 'convert-to-wal: true'"), ItFiles.read(log));
        assertFalse(ItFiles.read(log).contains("\tat "), "no stack trace");
        assertEquals("delete", SqliteFiles.journalMode(rollback), "left as it was");
        assertFalse(Files.exists(dir.resolve("r-rollback")), "nothing shipped for it");
        BothRestores.assertRestore(dir, dir.resolve("r-wal"), DbContent.hash(wal), "the other database");
    }

    @Test
    void fleetMode_refusesByDefault_convertsWhenMultiDbSaysSo() throws Exception {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path rollback = rollbackDb(fleet.resolve("rollback.db"));
        ItFiles.walDb(fleet.resolve("wal.db"), "w");
        Path replica = dir.resolve("fleet-replica");
        String refused = fleetRun("default", fleet, replica, "", () -> Files.isDirectory(replica.resolve(
                "wal/ltx/0")) && ItFiles.read(dir.resolve("default.log")).contains(rollback + ": rollback-journal database"));
        assertTrue(refused.contains("in multi-db: for fleet mode"), refused);
        assertEquals("delete", SqliteFiles.journalMode(rollback), "fleet mode does not convert unless asked");
        assertFalse(Files.exists(replica.resolve("rollback")));

        String converted = fleetRun("convert", fleet, replica, "  convert-to-wal: true\n",
                () -> Files.isDirectory(replica.resolve("rollback/ltx/0")));
        assertTrue(converted.contains(rollback + ": switched from journal_mode=delete to WAL mode"), converted);
        assertEquals("wal", SqliteFiles.journalMode(rollback));
        BothRestores.assertRestore(dir, replica.resolve("rollback"), DbContent.hash(rollback), "converted tenant");
    }

    /** Runs fleet mode until {@code done}, stops it (exit 0) and returns its output. */
    private String fleetRun(String name, Path fleet, Path replica, String extra, java.util.function.BooleanSupplier done)
            throws Exception {
        Path config = Files.writeString(dir.resolve(name + ".yml"), """
                multi-db:
                  patterns: [%s/*.db]
                  scan-interval: 1s
                %s  replica-template: {type: file, path: "%s/{{name}}"}
                """.formatted(fleet, extra, replica));
        Path log = dir.resolve(name + ".log");
        Process p = Daemon.start(log, env(), "replicate", "-config", config.toString());
        try {
            Await.until(WAIT, () -> ItFiles.read(log), done);
            p.destroy();
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), ItFiles.read(log));
        } finally {
            PeerProcess.kill(p);
        }
        return ItFiles.read(log);
    }

    private String run(String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = Daemon.start(log, env(), args);
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            PeerProcess.kill(p);
        }
        assertEquals(0, p.exitValue(), ItFiles.read(log));
        return ItFiles.read(log);
    }

    private Map<String, String> env() {
        return Map.of("LITEFLEET_STATE_DIR", dir.resolve("state").toString());
    }

    private Path config(Path db, Path replica, String extra) throws IOException {
        return Files.writeString(dir.resolve(db.getFileName() + ".yml"), """
                dbs:
                  - path: %s
                %s    replica: {type: file, path: %s}
                """.formatted(db, extra, replica));
    }

    private static Path rollbackDb(Path p) throws Exception {
        try (Connection c = SqliteFiles.open(p)) {
            SqliteFiles.exec(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('written in rollback-journal mode')");
        }
        assertEquals("delete", SqliteFiles.journalMode(p));
        return p;
    }
}
