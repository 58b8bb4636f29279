package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding facade, used as docs/embedding.md shows, on a clock the test moves (no threads, no waiting). */
class LitefleetFacadeTest {
    @TempDir
    Path dir;

    private Path walDatabase(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('first')");
        }
        return db;
    }

    @Test
    void databaseGivenInCode_replicatesOnTheClock_andCloseShipsTheRest() throws Exception {
        Path db = walDatabase("app.db");
        String url = dir.resolve("replica").toUri().toString();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
        try (Connection app = SqliteFiles.open(db);
             Replication r = Litefleet.builder().stateDir(dir.resolve("state")).database(db, url)
                     .clock(clock).manual().start()) {
            assertEquals(Map.of(db, java.util.List.of(url.replaceAll("/$", ""))), r.listed());
            assertEquals(0, r.txid(db), "nothing runs before the caller drives it");
            r.runUntilIdle();
            assertEquals(1, r.txid(db), "the first sync captured the database");
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('second')");
            r.runUntilIdle();
            assertEquals(1, r.txid(db), "the next sync is due a second later, by the clock");
            clock.advance(Duration.ofSeconds(1));
            r.runUntilIdle();
            assertEquals(2, r.txid(db));
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('third, shipped by close')");
        }
        try (Replication again = Litefleet.builder().stateDir(dir.resolve("state")).database(db, url).manual()
                .start()) {
            assertEquals(3, again.txid(db), "close() ran the final sync");
        }
        Path restored = dir.resolve("restored.db");
        assertEquals(0, io.litefleet.core.cli.Main.run(new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()), "restore", "-o", restored.toString(), url));
        assertEquals(DbContent.hash(db), DbContent.hash(restored));
        assertEquals("ok", DbContent.integrityCheck(restored));
    }

    @Test
    void aSecondInstanceOnTheSameDatabase_isRefused_anotherDatabaseShares_aFailedStartReleases() throws Exception {
        Path db = walDatabase("app.db");
        Path other = walDatabase("other.db");
        String url = dir.resolve("replica").toUri().toString();
        try (Replication first = Litefleet.builder().stateDir(dir.resolve("state")).database(db, url).manual()
                .start()) {
            var e = assertThrows(java.io.IOException.class, () -> Litefleet.builder().stateDir(dir.resolve("state"))
                    .database(db, dir.resolve("replica-2").toUri().toString()).manual().start());
            assertTrue(e.getMessage().startsWith(db + ": another litefleet replicate in this process is replicating "
                    + "this database"), e.getMessage());
            try (Replication second = Litefleet.builder().stateDir(dir.resolve("state"))
                    .database(other, dir.resolve("replica-o").toUri().toString()).manual().start()) {
                second.runUntilIdle();
                assertTrue(second.txid(other) >= 1, "another database shares the state directory");
            }
        }
        // Two databases on one replica: refused at start, naming both, and the lock is given back.
        ConfigException overlap = assertThrows(ConfigException.class, () -> Litefleet.builder()
                .stateDir(dir.resolve("state")).database(db, url).database(other, url).manual().start());
        assertTrue(overlap.getMessage().contains("app.db") && overlap.getMessage().contains("other.db"),
                overlap.getMessage());
        try (Replication after = Litefleet.builder().stateDir(dir.resolve("state")).database(db, url).manual()
                .start()) {
            after.runUntilIdle();
            assertTrue(after.txid(db) >= 1);
        }
        assertTrue(Files.exists(dir.resolve("state")));
    }

    @Test
    void requests_areCountedPerDestination_andStillAnswerAfterClose_withTheFinalSync() throws Exception {
        Path db = walDatabase("app.db");
        Path replica = dir.resolve("replica");
        String url = replica.toUri().toString();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
        Replication r = Litefleet.builder().stateDir(dir.resolve("state")).database(db, url).clock(clock).manual()
                .start();
        try (Connection app = SqliteFiles.open(db); r) {
            r.runUntilIdle();
            ReplicaRequests first = r.requests().getFirst();
            assertEquals(1, r.requests().size(), "one destination: " + r.requests());
            // The file backend's destination is the file system: one client serves every file:// replica.
            assertEquals("file:///", first.destination());
            // The first capture into an empty replica goes up as level 0 and as the snapshot 1..1, as upstream's.
            assertEquals(2, first.count(ReplicaOperation.PUT, ReplicaRequests.Outcome.OK), first.summary());
            assertTrue(Files.isRegularFile(replica.resolve("ltx/9/0000000000000001-0000000000000001.ltx")));
            assertTrue(Files.isRegularFile(replica.resolve("ltx/0/0000000000000001-0000000000000001.ltx")));
            assertEquals(ltxBytes(replica), first.bytesUp(), first.summary());
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('shipped by close')");
        }
        ReplicaRequests last = r.requests().getFirst();
        assertEquals(3, last.count(ReplicaOperation.PUT), "the final sync is counted: " + last.summary());
        assertEquals(ltxBytes(replica), last.bytesUp());
        assertEquals(0, last.total() - last.count(ReplicaOperation.PUT, ReplicaRequests.Outcome.OK)
                - last.count(ReplicaOperation.LIST, ReplicaRequests.Outcome.OK)
                - last.count(ReplicaOperation.GET, ReplicaRequests.Outcome.OK)
                - last.count(ReplicaOperation.HEAD), "nothing failed: " + last.summary());
        assertTrue(last.summary().startsWith("requests to file:///: put 3 (ok 3), "), last.summary());
        Path restored = dir.resolve("restored.db");
        assertEquals(0, io.litefleet.core.cli.Main.run(new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()), "restore", "-o", restored.toString(), url));
        assertEquals(DbContent.hash(db), DbContent.hash(restored));
        assertEquals("ok", DbContent.integrityCheck(restored));
    }

    private static long ltxBytes(Path replica) throws java.io.IOException {
        try (var files = Files.walk(replica)) {
            return files.filter(p -> p.toString().endsWith(".ltx")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
