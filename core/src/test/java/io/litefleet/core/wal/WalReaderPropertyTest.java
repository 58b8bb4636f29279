package io.litefleet.core.wal;

import static io.litefleet.core.wal.TestWal.pages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exhaustive and seeded-random damage to one real WAL (page size 512, so every byte offset is affordable). The
 * seed is printed; replay with {@code -Dlitefleet.seed=<seed>}.
 */
class WalReaderPropertyTest {
    private static final long SEED = Long.getLong("litefleet.seed", System.nanoTime());

    @TempDir
    static Path dir;
    static byte[] wal;
    static WalBatch full;

    @TempDir
    Path work;

    @BeforeAll
    static void writeRealWal() throws Exception {
        System.out.println("WalReaderPropertyTest seed=" + SEED + " (replay with -Dlitefleet.seed=" + SEED + ")");
        Random random = new Random(SEED);
        Path db = dir.resolve("app.db");
        Workload.create(SqliteSession.Driver.JDBC, db, 512);
        try (SqliteSession s = SqliteSession.Driver.JDBC.open(db)) {
            s.exec("PRAGMA wal_autocheckpoint=0");
            for (int i = 0; i < 20; i++) {
                s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(" + (1 + random.nextInt(1200)) + "))"));
            }
            wal = Files.readAllBytes(Workload.wal(db));
        }
        full = TestWal.readAll(write(dir.resolve("full.db-wal"), wal));
        assertEquals(WalStop.Kind.END, full.stop().kind());
        assertEquals(20, full.transactions().size());
    }

    @Test
    void read_truncatedAtEveryOffset_returnsCommittedPrefixOnly() throws Exception {
        Path copy = write(work.resolve("t.db-wal"), wal);
        int frameSize = TestWal.frameSize(wal);
        try (FileChannel writer = FileChannel.open(copy, StandardOpenOption.WRITE);
                WalReader reader = WalReader.open(copy)) {
            for (int n = wal.length; n >= 0; n--) {
                writer.truncate(n);
                WalBatch batch = reader.read(WalPosition.INITIAL);
                String at = "truncated at " + n + ", seed=" + SEED;
                assertEquals(pages(committedBefore(n)), pages(batch.transactions()), at);
                assertEquals(expectedTruncationStop(n, frameSize), batch.stop().kind(), at);
                if (n >= TestWal.HEADER) {
                    long partialAt = n - (n - TestWal.HEADER) % frameSize;
                    assertEquals(batch.stop().kind() == WalStop.Kind.END ? n : partialAt, batch.stop().offset(), at);
                }
            }
        }
    }

    private static WalStop.Kind expectedTruncationStop(int n, int frameSize) {
        boolean atCommit = n == 0 || n == TestWal.HEADER
                || full.transactions().stream().anyMatch(tx -> tx.end().offset() == n);
        return atCommit ? WalStop.Kind.END : WalStop.Kind.TORN_TAIL;
    }

    @Test
    void read_oneByteCorruptedAtEveryOffset_neverReturnsCorruptedFrame() throws Exception {
        Random random = new Random(SEED);
        Path copy = write(work.resolve("c.db-wal"), wal);
        int frameSize = TestWal.frameSize(wal);
        try (FileChannel writer = FileChannel.open(copy, StandardOpenOption.WRITE);
                WalReader reader = WalReader.open(copy)) {
            for (int at = 0; at < wal.length; at++) {
                byte mask = (byte) (1 + random.nextInt(255));
                writer.write(ByteBuffer.wrap(new byte[] {(byte) (wal[at] ^ mask)}), at);
                WalBatch batch = reader.read(WalPosition.INITIAL);
                writer.write(ByteBuffer.wrap(new byte[] {wal[at]}), at);
                String where = "byte " + at + " ^ " + (mask & 0xff) + ", seed=" + SEED;
                if (at < TestWal.HEADER) {
                    assertEquals(WalStop.Kind.HEADER_INVALID, batch.stop().kind(), where);
                    assertEquals(0, batch.stop().offset(), where);
                    assertTrue(batch.transactions().isEmpty(), where);
                    continue;
                }
                long frameStart = at - (at - TestWal.HEADER) % frameSize;
                long inFrame = at - frameStart;
                WalStop.Kind expected = inFrame >= 8 && inFrame < 16
                        ? WalStop.Kind.SALT_MISMATCH : WalStop.Kind.CHECKSUM_MISMATCH;
                assertEquals(expected, batch.stop().kind(), where);
                assertEquals(frameStart, batch.stop().offset(), where);
                assertEquals(pages(committedBefore(frameStart)), pages(batch.transactions()), where);
            }
        }
    }

    @Test
    void read_resumedFromEveryReturnedPosition_yieldsRemainingTransactions() throws Exception {
        Path copy = write(work.resolve("r.db-wal"), wal);
        List<WalTransaction> all = full.transactions();
        try (WalReader reader = WalReader.open(copy)) {
            assertEquals(all, reader.read(WalPosition.start(full.header().orElseThrow())).transactions());
            for (int i = 0; i < all.size(); i++) {
                WalBatch rest = reader.read(all.get(i).end());
                assertEquals(all.subList(i + 1, all.size()), rest.transactions(), "after transaction " + i);
                assertEquals(WalStop.Kind.END, rest.stop().kind());
            }
        }
    }

    @Test
    void read_withFrameBudget_chainsToSameTransactions() throws Exception {
        Path copy = write(work.resolve("b.db-wal"), wal);
        try (WalReader reader = WalReader.open(copy)) {
            for (long budget = 1; budget <= 8; budget++) {
                List<WalTransaction> chained = new ArrayList<>();
                WalBatch batch = reader.read(WalPosition.INITIAL, budget);
                while (batch.stop().kind() == WalStop.Kind.LIMIT) {
                    assertTrue(batch.transactions().stream().mapToInt(tx -> tx.frames().size()).sum()
                            < budget + batch.transactions().getLast().frames().size(), "budget " + budget);
                    chained.addAll(batch.transactions());
                    batch = reader.read(batch.end(), budget);
                }
                chained.addAll(batch.transactions());
                assertEquals(WalStop.Kind.END, batch.stop().kind());
                assertEquals(full.transactions(), chained, "budget " + budget);
            }
        }
    }

    private static List<WalTransaction> committedBefore(long offset) {
        return full.transactions().stream().filter(tx -> tx.end().offset() <= offset).toList();
    }

    private static Path write(Path path, byte[] bytes) throws Exception {
        return Files.write(path, bytes);
    }
}
