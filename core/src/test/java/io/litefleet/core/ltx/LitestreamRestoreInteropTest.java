package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file replica written by hand with {@link LtxEncoder} (a level-0 snapshot plus one level-0 incremental file,
 * in the file backend's layout {@code <dir>/ltx/0/<min>-<max>.ltx}) is restored by stock {@code litestream restore}
 * v0.5.16, in the mode upstream itself writes (no checksum). Files with rolling checksums are rejected by it.
 */
class LitestreamRestoreInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private byte[][] before;
    private byte[][] after;
    private byte[] afterFile;

    @BeforeEach
    void buildSourceStates() throws Exception {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("LitestreamRestoreInteropTest"));
        Path db = dir.resolve("src.db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            insert(c, rnd, 0, 150);
            SqliteFiles.exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
            before = SqliteFiles.pages(db);
            insert(c, rnd, 150, 100);
            SqliteFiles.exec(c, "UPDATE t SET v = randomblob(300) WHERE id IN (3, 4)", "DELETE FROM t WHERE id = 5",
                    "PRAGMA wal_checkpoint(TRUNCATE)");
            after = SqliteFiles.pages(db);
            afterFile = Files.readAllBytes(db);
        }
    }

    private static void insert(Connection c, SplittableRandom rnd, int from, int n) throws Exception {
        try (var ps = c.prepareStatement("INSERT INTO t(id, v) VALUES (?, ?)")) {
            for (int i = from; i < from + n; i++) {
                ps.setInt(1, i);
                ps.setBytes(2, LtxTestFiles.randomPage(rnd, 8 * (1 + rnd.nextInt(100))));
                ps.executeUpdate();
            }
        }
    }

    @Test
    void restore_ourNoChecksumReplica_yieldsIdenticalDatabase() throws Exception {
        Path replica = writeReplica(true);
        Path out = dir.resolve("out.db");
        PeerProcess.Result r = restore(replica, out);
        assertEquals(0, r.exitCode(), r.both());
        byte[] restored = Files.readAllBytes(out);
        assertEquals(SqliteFiles.sha256(afterFile), SqliteFiles.sha256(restored), "restored database differs");
        assertArrayEquals(afterFile, restored);
        assertEquals("ok", SqliteFiles.integrityCheck(out));
    }

    @Test
    void restore_ourRollingChecksumReplica_isRejectedByStockLitestream() throws Exception {
        Path replica = writeReplica(false);
        for (Path f : ltxFiles(replica)) {
            assertTrue(LtxVerifier.verify(f).isValid(), f + " should be a valid LTX file");
        }
        PeerProcess.Result r = restore(replica, dir.resolve("out.db"));
        // litestream's restore compacts the files with the no-checksum flag but copies the last file's post-apply
        // checksum into the output, which ltx's encoder then refuses (compactor.go:140, ltx.go:356-359).
        System.out.println("stock litestream on rolling-checksum files: " + r.both());
        assertNotEquals(0, r.exitCode(), r.both());
        assertTrue(r.stderr().contains("post-apply checksum not allowed"), r.both());
        assertTrue(Files.notExists(dir.resolve("out.db")));
    }

    private PeerProcess.Result restore(Path replica, Path out) throws Exception {
        Path litestream = PeerTools.litestream();
        return PeerProcess.run(dir, TIMEOUT, List.of(litestream.toString(), "restore", "-o", out.toString(),
                "file://" + replica.toAbsolutePath()));
    }

    private Path writeReplica(boolean noChecksum) throws IOException {
        Path level0 = Files.createDirectories(dir.resolve("replica").resolve("ltx").resolve("0"));
        int pageSize = before[1].length;
        long preChecksum = noChecksum ? 0 : checksum(before);
        LtxHeader snap = LtxHeader.builder().noChecksum(noChecksum).pageSize(pageSize).commit(before.length - 1)
                .txids(1, 1).timestamp(System.currentTimeMillis() - 1000).build();
        try (OutputStream o = create(level0, 1)) {
            LtxEncoder enc = LtxEncoder.open(o, snap);
            for (int pgno = 1; pgno < before.length; pgno++) {
                enc.writePage(pgno, before[pgno]);
            }
            assertEquals(preChecksum, enc.finish().postApplyChecksum());
        }
        LtxHeader inc = LtxHeader.builder().noChecksum(noChecksum).pageSize(pageSize).commit(after.length - 1)
                .txids(2, 2).preApplyChecksum(preChecksum).timestamp(System.currentTimeMillis()).build();
        try (OutputStream o = create(level0, 2)) {
            LtxEncoder enc = LtxEncoder.open(o, inc);
            for (int pgno = 1; pgno < after.length; pgno++) {
                if (pgno >= before.length || !Arrays.equals(before[pgno], after[pgno])) {
                    enc.writePage(pgno, after[pgno]);
                }
            }
            assertTrue(enc.pageCount() > 0 && enc.pageCount() < after.length - 1, "incremental should be partial");
            enc.finish(noChecksum ? 0 : checksum(after));
        }
        return dir.resolve("replica");
    }

    private static OutputStream create(Path level0, long txid) throws IOException {
        return new BufferedOutputStream(Files.newOutputStream(level0.resolve(String.format("%016x-%016x.ltx", txid,
                txid))));
    }

    private static long checksum(byte[][] pages) throws IOException {
        return Checksums.database(new ByteArrayInputStream(ChecksumsTest.concat(pages)), pages[1].length);
    }

    private static List<Path> ltxFiles(Path replica) throws IOException {
        try (var s = Files.list(replica.resolve("ltx").resolve("0"))) {
            return s.sorted().toList();
        }
    }
}
