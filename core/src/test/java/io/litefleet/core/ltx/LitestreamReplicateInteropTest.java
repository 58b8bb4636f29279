package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LTX files written by the real {@code litestream replicate} v0.5.16 into a file replica decode with
 * {@link LtxDecoder}, and applying them in TXID order reproduces the source database.
 */
class LitestreamReplicateInteropTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String CONTENT = "SELECT group_concat(id || ':' || hex(v), ',') FROM (SELECT * FROM t ORDER BY id)";

    @TempDir
    Path dir;

    @Test
    void decode_filesFromLitestreamReplicate_reproduceSourceDatabase() throws Exception {
        Path litestream = PeerTools.litestream();
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("decode_filesFromLitestreamReplicate"));
        Path db = dir.resolve("src.db");
        Path replica = dir.resolve("replica");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            Process p = startReplicate(litestream, db, replica);
            try {
                for (int tx = 0; tx < 5; tx++) {
                    // One transaction at a time, each awaited, so the replica holds incremental files too.
                    writeTransaction(c, rnd, tx);
                    Path rebuilt = awaitReplicaContent(p, replica, SqliteFiles.queryString(c, CONTENT));
                    assertEquals("ok", SqliteFiles.integrityCheck(rebuilt));
                }
                stopGracefully(p);
                assertRebuildMatchesSourcePages(c, db, replica);
            } finally {
                PeerProcess.kill(p);
            }
        }
    }

    private Process startReplicate(Path litestream, Path db, Path replica) throws Exception {
        return PeerProcess.startLitestreamReplicate(litestream, dir, db, replica);
    }

    private static void writeTransaction(Connection c, SplittableRandom rnd, int tx) throws Exception {
        c.setAutoCommit(false);
        try (var ps = c.prepareStatement("INSERT INTO t(id, v) VALUES (?, ?)")) {
            for (int i = 0; i < 60; i++) {
                ps.setInt(1, tx * 1000 + i);
                ps.setBytes(2, LtxTestFiles.randomPage(rnd, 8 * (1 + rnd.nextInt(200))));
                ps.executeUpdate();
            }
        }
        SqliteFiles.exec(c, "UPDATE t SET v = x'00' WHERE id = " + (tx * 1000 - 1000 + 7));
        c.commit();
        c.setAutoCommit(true);
    }

    /** Polls (no sleeps as synchronisation beyond a short back-off) until the rebuilt replica holds all rows. */
    private Path awaitReplicaContent(Process p, Path replica, String expected) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Path rebuilt = dir.resolve("rebuilt.db");
        String last = "no LTX files yet";
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), () -> "litestream exited: " + log());
            List<Path> files = LtxReplay.level0(replica);
            if (!files.isEmpty()) {
                LtxReplay.apply(files, rebuilt);
                try (Connection r = SqliteFiles.open(rebuilt)) {
                    String got = SqliteFiles.queryString(r, CONTENT);
                    if (expected.equals(got)) {
                        return rebuilt;
                    }
                    last = files.size() + " files, content not yet complete";
                } catch (java.sql.SQLException e) {
                    last = files.size() + " files, not yet a complete table: " + e.getMessage();
                }
            }
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("replica did not reach the source content within " + DEADLINE + " (" + last
                + ")\n" + log());
    }

    private void assertRebuildMatchesSourcePages(Connection c, Path db, Path replica) throws Exception {
        List<Path> files = LtxReplay.level0(replica);
        Path rebuilt = dir.resolve("final.db");
        List<LtxHeader> headers = LtxReplay.apply(files, rebuilt);
        assertTrue(headers.get(0).isSnapshot(), "first L0 file should be a snapshot");
        assertTrue(headers.size() >= 5, "expected incremental files, got " + files);
        assertTrue(headers.stream().allMatch(LtxHeader::noChecksum), "upstream writes no-checksum files");
        System.out.println("litestream wrote " + files.size() + " L0 files: " + files.stream()
                .map(f -> f.getFileName().toString()).toList());
        SqliteFiles.exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
        byte[] source = Files.readAllBytes(db);
        byte[] ours = Files.readAllBytes(rebuilt);
        assertEquals(SqliteFiles.sha256(source), SqliteFiles.sha256(ours),
                "pages rebuilt from " + files.size() + " litestream LTX files differ from the source database");
    }

    private static void stopGracefully(Process p) throws InterruptedException {
        PeerProcess.stopGracefully(p);
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("litestream.log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
