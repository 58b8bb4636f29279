package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litefleet restore -f} as a read replica of a database stock litestream v0.5.16 replicates: the follower
 * catches up with every commit while a reader in another process reads it (each read sees whole transactions, never
 * goes back, never fails), stops on SIGTERM with exit 0 and resumes from its {@code -txid} record (which stock
 * {@code litestream restore -f} reads too). Ends with the follower, our restore and stock's restore equal to the
 * source.
 */
class FollowIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void follower_keepsUpWithUpstreamsReplica_whileReadersRead_stopsOnSigterm_andResumes() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        String url = replica.toUri().toString();
        Path follower = dir.resolve("follower.db");
        Path log = dir.resolve("follow.log");
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)",
                    "CREATE TABLE u(id INTEGER PRIMARY KEY, t_id INTEGER)");
            commits(app, 0, 5);
            Process upstream = PeerProcess.startLitestreamReplicate(PeerTools.litestream(), dir, db, replica);
            Process follow = null;
            try {
                Await.until(CATCH_UP, "upstream shipped a first L0 file", () -> count(replica.resolve("ltx/0")) > 0);
                follow = Daemon.start(log, "restore", "-f", "-follow-interval", "100ms", "-o", follower.toString(),
                        url);
                awaitEqual(app, follower, follow, log);
                // written right after the database is installed, so a reader may see the content first
                Await.until(CATCH_UP, "the -txid record", () -> Files.exists(Path.of(follower + "-txid")));

                Reader reader = new Reader(follower);
                Thread readerThread = Thread.ofPlatform().name("follow-it-reader").start(reader);
                try {
                    for (int i = 1; i <= 6; i++) {
                        commits(app, i * 10, 5);
                        SqliteFiles.exec(app, "UPDATE t SET v = randomblob(300) WHERE id % 7 = " + i);
                        awaitEqual(app, follower, follow, log);
                    }
                    SqliteFiles.exec(app, "DELETE FROM u WHERE id % 2 = 0", "DELETE FROM t WHERE id % 2 = 0",
                            "PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM");
                    awaitEqual(app, follower, follow, log);
                } finally {
                    reader.stop.set(true);
                    readerThread.join(TimeUnit.SECONDS.toMillis(30));
                }
                assertEquals(List.of(), reader.failures, "reader failures");
                assertTrue(reader.reads.get() > 10, "the reader read while the follower applied: " + reader.reads);
                assertTrue(reader.distinct.get() >= 3, "the reader saw the follower move: " + reader.distinct);
                assertFalse(Files.exists(Path.of(follower + "-wal")), "readers never put the follower in WAL mode");

                follow.destroy(); // SIGTERM
                assertTrue(follow.waitFor(30, TimeUnit.SECONDS), "the follower stops on SIGTERM");
                assertEquals(0, follow.exitValue(), Files.readString(log));
                assertTrue(Files.readString(log).contains("follow mode stopped at TXID"), Files.readString(log));

                // Resume from the -txid record: ours, then stock litestream's follow mode on the same file.
                commits(app, 100, 5);
                follow = Daemon.start(log, "restore", "-f", "-follow-interval", "100ms", "-o", follower.toString(),
                        url);
                awaitEqual(app, follower, follow, log);
                follow.destroy();
                assertTrue(follow.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, follow.exitValue(), Files.readString(log));
                // Stock v0.5.16 reads the same record but resumes only while the record is not past the replica's
                // newest snapshot (replica.go, Restore), which here is TXID 1: it refuses, naming our TXID.
                String record = Files.readString(Path.of(follower + "-txid")).strip();
                var stock = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(),
                        "restore", "-f", "-follow-interval", "100ms", "-o", follower.toString(), url));
                assertEquals(1, stock.exitCode(), stock.both());
                assertTrue(stock.both().contains("saved TXID " + record + " is ahead of latest snapshot"),
                        stock.both());
                assertEquals("ok", DbContent.integrityCheck(follower));

                PeerProcess.stopGracefully(upstream);
            } finally {
                PeerProcess.kill(follow);
                PeerProcess.kill(upstream);
            }
            assertBothRestores(url, DbContent.hash(app));
        }
    }

    /** Bad input: a follow-interval that is not a duration, a -txid record that is not a TXID. */
    @Test
    void follower_badTxidRecord_isRefusedNamingIt() throws Exception {
        Path db = dir.resolve("x.db");
        Files.writeString(db, "whatever");
        Files.writeString(Path.of(db + "-txid"), "not a txid\n");
        Path log = dir.resolve("bad.log");
        Process p = Daemon.start(log, "restore", "-f", "-o", db.toString(), dir.resolve("r").toUri().toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        String text = Files.readString(log);
        assertTrue(text.contains(db + "-txid: not a TXID record"), text);
        assertEquals("whatever", Files.readString(db));
    }

    private void assertBothRestores(String url, String hash) throws Exception {
        Path ours = dir.resolve("ours.db");
        java.io.StringWriter out = new java.io.StringWriter();
        assertEquals(0, io.litefleet.core.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(out),
                "restore", "-o", ours.toString(), url), out.toString());
        assertEquals(hash, DbContent.hash(ours), "litefleet restore");
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock.db");
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), url));
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(hash, DbContent.hash(stock), "litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    /** Commits {@code n} transactions, each a row in t and its row in u (a reader must see both or neither). */
    private static void commits(Connection app, int from, int n) throws SQLException {
        for (int i = from; i < from + n; i++) {
            SqliteFiles.exec(app, "BEGIN", "INSERT INTO t(id, v) VALUES (" + i + ", randomblob(" + (200 + i * 37 % 3000)
                    + "))", "INSERT INTO u(id, t_id) VALUES (" + i + ", " + i + ")", "COMMIT");
        }
    }

    private static void awaitEqual(Connection app, Path follower, Process follow, Path log)
            throws InterruptedException, SQLException {
        String want = DbContent.hash(app);
        Await.until(CATCH_UP, () -> "the follower caught up (alive: " + follow.isAlive() + "); log:\n" + read(log),
                () -> !follow.isAlive() || (Files.exists(follower) && want.equals(hashOrNull(follower))));
        assertTrue(follow.isAlive(), "the follower exited: " + read(log));
    }

    private static String hashOrNull(Path db) {
        try {
            return DbContent.hash(db);
        } catch (SQLException e) {
            return null; // busy while an update is written, or not yet there
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int count(Path dir) {
        try (var s = Files.list(dir)) {
            return (int) s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Reads the follower read-only in a loop: t and u always match, the row count never goes back. */
    private static final class Reader implements Runnable {
        final Path db;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger distinct = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();

        Reader(Path db) {
            this.db = db;
        }

        @Override
        public void run() {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
                    Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                long last = -1;
                while (!stop.get()) {
                    c.setAutoCommit(false);
                    long t;
                    long u;
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                        t = rs.getLong(1);
                    }
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM u WHERE t_id IN (SELECT id FROM t)")) {
                        u = rs.getLong(1);
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    if (t != u) {
                        failures.add("a torn read: " + t + " rows in t, " + u + " matching rows in u");
                    }
                    if (t != last) {
                        distinct.incrementAndGet();
                    }
                    last = t;
                    reads.incrementAndGet();
                }
            } catch (SQLException e) {
                failures.add(e.toString());
            }
        }
    }
}
