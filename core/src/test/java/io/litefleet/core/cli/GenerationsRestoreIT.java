package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Litestream v0.3 replicas ({@code generations/}: LZ4 snapshots and WAL segments), written by stock litestream
 * v0.3.13 itself: {@code litefleet restore} gives the latest state and a {@code -timestamp} inside the history, as
 * stock v0.5.16 does; a damaged segment fails naming it.
 */
class GenerationsRestoreIT {
    @TempDir
    Path dir;

    @Test
    void v0313Replica_latestAndTimestamp_equalTheSource_withOursAndStock() throws Exception {
        Path v3 = PeerTools.litestream("v0.3.13");
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        String url = replica.toUri().toString();
        String stateA;
        Instant atA;
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            Process p = new ProcessBuilder(v3.toString(), "replicate", db.toString(), url).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("v3.log").toFile()).start();
            try {
                exec(app, "INSERT INTO t(v) VALUES (randomblob(3000)), (zeroblob(2000))");
                Await.until(Duration.ofSeconds(60), "v0.3.13 wrote a snapshot and a WAL segment",
                        () -> count(replica, ".snapshot.lz4") >= 1 && count(replica, ".wal.lz4") >= 1);
                int segments = count(replica, ".wal.lz4");
                exec(app, "INSERT INTO t(v) VALUES (randomblob(500))");
                Await.until(Duration.ofSeconds(60), "the second commit shipped",
                        () -> count(replica, ".wal.lz4") > segments);
                stateA = DbContent.hash(db);
                atA = newestMtime(replica);
                Await.until(Duration.ofSeconds(10), "the clock moved past the last file",
                        () -> Instant.now().isAfter(atA.plusMillis(20)));
                // A checkpoint starts a new WAL index; then more commits.
                exec(app, "PRAGMA wal_checkpoint(TRUNCATE)", "INSERT INTO t(v) VALUES (randomblob(4000))",
                        "UPDATE t SET v = zeroblob(10) WHERE id = 1");
                int before = count(replica, ".wal.lz4");
                Await.until(Duration.ofSeconds(60), "the commits after the checkpoint shipped",
                        () -> count(replica, ".wal.lz4") > before);
            } finally {
                PeerProcess.stopGracefully(p);
                PeerProcess.kill(p);
            }
        }
        String latest = DbContent.hash(db);
        assertTrue(Files.isDirectory(replica.resolve("generations")), "a v0.3 layout");

        Path ours = dir.resolve("ours.db");
        String r = run("restore", "-o", ours.toString(), url);
        assertTrue(r.contains("restored Litestream v0.3 generation"), r);
        assertEquals(latest, DbContent.hash(ours), "our restore of the latest state");
        assertEquals("ok", DbContent.integrityCheck(ours));
        assertStock(url, null, latest);

        Path pit = dir.resolve("pit.db");
        run("restore", "-o", pit.toString(), "-timestamp", atA.toString(), url);
        assertEquals(stateA, DbContent.hash(pit), "our restore at " + atA);
        assertStock(url, atA, stateA);

        // Bad input: a TXID (v0.3 has none), then a damaged segment: clear errors naming them.
        String txid = runFailing("restore", "-o", dir.resolve("x.db").toString(), "-txid", "2", url);
        assertTrue(txid.contains("Litestream v0.3 replica (generations/), which has no TXIDs"), txid);
        Path seg;
        try (Stream<Path> s = Files.walk(replica)) {
            seg = s.filter(f -> f.toString().endsWith(".wal.lz4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(seg);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(seg, bytes);
        String bad = runFailing("restore", "-o", dir.resolve("y.db").toString(), url);
        assertTrue(bad.contains(seg.getFileName().toString()) || bad.contains("WAL index"), bad);
        assertTrue(!Files.exists(dir.resolve("y.db")), "nothing installed");
    }

    private void assertStock(String url, Instant at, String want) throws Exception {
        Path out = dir.resolve("stock-" + (at == null ? "latest" : "pit") + ".db");
        List<String> cmd = at == null ? List.of(PeerTools.litestream().toString(), "restore", "-o", out.toString(), url)
                : List.of(PeerTools.litestream().toString(), "restore", "-timestamp", at.toString(), "-o",
                        out.toString(), url);
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), cmd);
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(want, DbContent.hash(out), "stock litestream v0.5.16 restore " + cmd);
        assertEquals("ok", DbContent.integrityCheck(out));
    }

    private String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    private String runFailing(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertTrue(code != 0, "expected a failure: " + out);
        assertTrue(!err.toString().contains("\tat "), "no stack trace: " + err);
        return err.toString();
    }

    private static int count(Path replica, String suffix) {
        if (!Files.isDirectory(replica)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(replica)) {
            return (int) s.filter(f -> f.toString().endsWith(suffix)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant newestMtime(Path replica) throws IOException {
        try (Stream<Path> s = Files.walk(replica)) {
            return s.filter(Files::isRegularFile).map(f -> {
                try {
                    return Files.getLastModifiedTime(f).toInstant();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).max(Instant::compareTo).orElseThrow();
        }
    }

    private static void exec(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
