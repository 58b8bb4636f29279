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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container first-boot pattern: {@code restore-if-db-not-exists} restores a missing database from a replica that
 * stock litestream v0.5.16 wrote, then replicates it on (an {@code -exec} application writes and exits); with no
 * backup yet it starts fresh; an existing database is left alone; an unrestorable replica stops the start.
 */
class FirstBootRestoreIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void missingDatabase_restoredFromStockReplica_thenReplicatedOn_bothRestoresEqual() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('shipped by litestream')");
        }
        Process stock = PeerProcess.startLitestreamReplicate(PeerTools.litestream(), dir, db, replica);
        try {
            Await.until(WAIT, "litestream ships", () -> Files.isDirectory(replica.resolve("ltx/0")));
            try (Connection c = SqliteFiles.open(db)) {
                SqliteFiles.exec(c, "INSERT INTO t(v) VALUES ('second, by litestream')");
            }
            PeerProcess.stopGracefully(stock);
        } finally {
            PeerProcess.kill(stock);
        }
        String shipped = DbContent.hash(db);
        for (String f : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db + f)); // the container's first boot: no database
        }
        Path config = Files.writeString(dir.resolve("litefleet.yml"), """
                exec: %s -cmd '.timeout 10000' %s "INSERT INTO t(v) VALUES ('written after the restore')"
                dbs:
                  - path: %s
                    restore-if-db-not-exists: true
                    replica: {type: file, path: %s}
                """.formatted(PeerTools.sqlite3(), db, db, replica));
        String log = runToEnd("first-boot", "replicate", "-config", config.toString());
        assertTrue(log.contains(db + ": database does not exist: restoring it"), log);
        try (Connection c = SqliteFiles.open(db)) {
            assertEquals("shipped by litestream|second, by litestream|written after the restore",
                    SqliteFiles.queryString(c, "SELECT group_concat(v, '|') FROM (SELECT v FROM t ORDER BY id)"));
        }
        assertFalse(shipped.equals(DbContent.hash(db)), "the application wrote after the restore");
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "continued stock replica");
    }

    @Test
    void emptyReplica_startsFresh_existingDatabase_isLeftAlone() throws Exception {
        Path db = dir.resolve("fresh.db");
        Path replica = dir.resolve("fresh-replica");
        // No backup yet: the application creates the database, and runs until litefleet has shipped it (a database
        // that did not exist at start is picked up by the next sync attempt, not by the final sync; as upstream).
        Path app = Files.writeString(dir.resolve("create.sh"), """
                #!/bin/sh
                %s %s 'PRAGMA journal_mode=WAL; CREATE TABLE t(v TEXT); INSERT INTO t VALUES (1)' || exit 99
                for i in $(seq 600); do [ -d %s/ltx/0 ] && exit 0; sleep 0.1; done
                exit 98
                """.formatted(PeerTools.sqlite3(), db, replica));
        assertTrue(app.toFile().setExecutable(true));
        String log = runToEnd("fresh", "replicate", "-restore-if-db-not-exists", "-exec", app.toString(),
                db.toString(), replica.toUri().toString());
        assertTrue(log.contains(db + ": no backup found in "), log);
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "fresh start");

        // Now it exists: a second start does not restore over it, though the replica holds an older state.
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "DELETE FROM t", "INSERT INTO t VALUES ('local only')");
        }
        String local = DbContent.hash(db);
        String again = runToEnd("again", "replicate", "-restore-if-db-not-exists", "-exec", "true", db.toString(),
                replica.toUri().toString());
        assertTrue(again.contains(db + ": database exists, skipping restore"), again);
        assertEquals(local, DbContent.hash(db));
        BothRestores.assertRestore(dir, replica, local, "existing database replicated on");
    }

    @Test
    void unrestorableReplica_stopsTheStart_namingDatabaseAndReplica() throws Exception {
        Path db = dir.resolve("broken.db");
        Path replica = dir.resolve("broken-replica");
        Files.createDirectories(replica.resolve("ltx/0"));
        Files.writeString(replica.resolve("ltx/0/0000000000000001-0000000000000001.ltx"), "not an LTX file");
        Path log = dir.resolve("broken.log");
        Process p = Daemon.start(log, Map.of("LITEFLEET_STATE_DIR", dir.resolve("state").toString()), "replicate",
                "-restore-if-db-not-exists", "-exec", "true", db.toString(), replica.toUri().toString());
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains(db + ": restore-if-db-not-exists: cannot restore from"), out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
        assertFalse(Files.exists(db), "nothing half-restored is left");
        var up = PeerProcess.run(dir, WAIT, java.util.List.of(PeerTools.litestream().toString(), "replicate",
                "-restore-if-db-not-exists", "-exec", "true", dir.resolve("broken-up.db").toString(),
                replica.toUri().toString()));
        assertEquals(1, up.exitCode(), "litestream refuses it too: " + up.both());
    }

    /** Runs litefleet to its end (its -exec child exits) and returns its output; it must exit 0. */
    private String runToEnd(String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = Daemon.start(log, Map.of("LITEFLEET_STATE_DIR", dir.resolve("state").toString()), args);
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "exits with its child");
        } finally {
            PeerProcess.kill(p);
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
        return out;
    }
}
