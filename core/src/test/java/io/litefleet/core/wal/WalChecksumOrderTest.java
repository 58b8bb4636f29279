package io.litefleet.core.wal;

import static io.litefleet.core.wal.TestWal.pages;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both checksum byte orders. SQLite writes the magic of the machine's native order (0x377f0682 on little-endian
 * hosts), so big-endian WALs are made by rewriting a real WAL's checksums with {@link TestWal}, which shares no
 * code with the reader.
 */
class WalChecksumOrderTest {
    @TempDir
    static Path dir;
    static byte[] wal;

    @TempDir
    Path work;

    @BeforeAll
    static void writeRealWal() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(SqliteSession.Driver.JDBC, db, 1024);
        try (SqliteSession s = SqliteSession.Driver.JDBC.open(db)) {
            s.exec("PRAGMA wal_autocheckpoint=0");
            for (int i = 0; i < 6; i++) {
                s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(" + (700 * i + 1) + "))"));
            }
            wal = Files.readAllBytes(Workload.wal(db));
        }
    }

    @Test
    void sqlite_onThisHost_writesLittleEndianMagic() {
        assertEquals(WalHeader.MAGIC_LITTLE_ENDIAN, TestWal.getBe(wal, 0));
    }

    @Test
    void rewrite_littleEndian_reproducesSqliteBytesExactly() {
        assertArrayEquals(wal, TestWal.rewrite(wal, false), "the test helper computes what SQLite computes");
    }

    @Test
    void read_bigEndianChecksums_returnsSameTransactions() throws Exception {
        byte[] big = TestWal.rewrite(wal, true);
        assertNotEquals(Arrays.toString(Arrays.copyOfRange(wal, 24, 32)),
                Arrays.toString(Arrays.copyOfRange(big, 24, 32)), "the header checksum depends on the order");

        WalBatch little = read(wal);
        WalBatch bigBatch = read(big);
        assertEquals(WalStop.Kind.END, bigBatch.stop().kind(), bigBatch.stop().message());
        assertEquals(WalHeader.MAGIC_BIG_ENDIAN, bigBatch.header().orElseThrow().magic());
        assertEquals(6, bigBatch.transactions().size());
        assertEquals(pages(little.transactions()), pages(bigBatch.transactions()));
        for (int i = 0; i < 6; i++) {
            assertEquals(little.transactions().get(i).frames(), bigBatch.transactions().get(i).frames());
            assertEquals(little.transactions().get(i).commitSize(), bigBatch.transactions().get(i).commitSize());
        }
        assertNotEquals(little.end().checksum1(), bigBatch.end().checksum1());
    }

    @Test
    void read_bigEndianMagicOverLittleEndianChecksums_rejectsHeader() throws Exception {
        byte[] wrong = wal.clone();
        TestWal.putBe(wrong, 0, WalHeader.MAGIC_BIG_ENDIAN);
        WalBatch batch = read(wrong);
        assertEquals(WalStop.Kind.HEADER_INVALID, batch.stop().kind());
        assertTrue(batch.stop().message().contains("checksum"), batch.stop().message());
    }

    @Test
    void read_littleEndianMagicOverBigEndianChecksums_rejectsHeader() throws Exception {
        byte[] wrong = TestWal.rewrite(wal, true);
        TestWal.putBe(wrong, 0, WalHeader.MAGIC_LITTLE_ENDIAN);
        assertEquals(WalStop.Kind.HEADER_INVALID, read(wrong).stop().kind());
    }

    @Test
    void read_bigEndianHeaderOverLittleEndianFrames_rejectsFirstFrame() throws Exception {
        byte[] mixed = wal.clone();
        System.arraycopy(TestWal.rewrite(wal, true), 0, mixed, 0, TestWal.HEADER);
        WalBatch batch = read(mixed);
        assertEquals(WalStop.Kind.CHECKSUM_MISMATCH, batch.stop().kind());
        assertEquals(TestWal.HEADER, batch.stop().offset());
        assertTrue(batch.transactions().isEmpty());
    }

    @Test
    void read_frameWithPageNumberZeroAndValidChecksum_reportsFrameInvalid() throws Exception {
        int frameSize = TestWal.frameSize(wal);
        byte[] zero = TestWal.rewrite(wal, false, (i, b, at) -> {
            if (i == 2) {
                TestWal.putBe(b, at, 0);
            }
        });
        WalBatch batch = read(zero);
        assertEquals(WalStop.Kind.FRAME_INVALID, batch.stop().kind(), batch.stop().message());
        assertEquals(TestWal.HEADER + 2L * frameSize, batch.stop().offset());
        assertTrue(batch.end().offset() <= batch.stop().offset());
    }

    private WalBatch read(byte[] bytes) throws Exception {
        return TestWal.readAll(Files.write(Files.createTempFile(work, "w", ".db-wal"), bytes));
    }
}
