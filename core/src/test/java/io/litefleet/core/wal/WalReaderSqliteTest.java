package io.litefleet.core.wal;

import static io.litefleet.core.wal.TestWal.apply;
import static io.litefleet.core.wal.TestWal.pages;
import static io.litefleet.core.wal.TestWal.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.wal.SqliteSession.Driver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reader against WAL files written by real SQLite: sqlite-jdbc in this JVM and the sqlite3 shell. */
class WalReaderSqliteTest {
    private static final long SEED = Long.getLong("litefleet.seed", System.nanoTime());

    static {
        System.out.println("WalReaderSqliteTest seed=" + SEED + " (replay with -Dlitefleet.seed=" + SEED + ")");
    }

    @TempDir
    Path dir;

    static Stream<Arguments> driversAndPageSizes() {
        return Stream.of(Driver.values())
                .flatMap(d -> Stream.of(512, 4096, 65536).map(size -> Arguments.of(d, size)));
    }

    @ParameterizedTest(name = "{0}, page size {1}")
    @MethodSource("driversAndPageSizes")
    void read_realWal_appliedPagesReproduceCheckpointedDatabase(Driver driver, int pageSize) throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(driver, db, pageSize);
        byte[] base = read(db);
        List<List<String>> workload = Workload.transactions(new Random(SEED), 25, pageSize);
        Path walCopy = dir.resolve("copy.db-wal");
        try (SqliteSession s = driver.open(db)) {
            s.exec("PRAGMA wal_autocheckpoint=0");
            for (List<String> tx : workload) {
                s.transaction(tx);
            }
            Files.copy(Workload.wal(db), walCopy); // the -wal holds no SQLite locks, copying it is safe
        }
        byte[] checkpointed = read(db);

        try (WalReader reader = WalReader.open(walCopy)) {
            WalBatch batch = reader.read(WalPosition.INITIAL);
            String seed = "seed=" + SEED;
            assertEquals(WalStop.Kind.END, batch.stop().kind(), batch.stop() + " " + seed);
            assertEquals(Files.size(walCopy), batch.end().offset(), seed);
            assertEquals(workload.size(), batch.transactions().size(), "one commit per transaction " + seed);
            assertEquals(pageSize, batch.header().orElseThrow().pageSize());
            assertEquals(pageSize, TestWal.getBe(read(walCopy), 8), "page size stored as plain bytes, 65536 too");
            assertTrue(pages(batch.transactions()).stream().mapToInt(List::size).max().orElseThrow() >= 10,
                    "some transaction spans many pages " + seed);

            byte[] rebuilt = apply(base, reader, batch.transactions());
            assertArrayEquals(checkpointed, rebuilt, "base + WAL pages = SQLite's checkpointed file " + seed);
            Path rebuiltDb = dir.resolve("rebuilt.db");
            Files.write(rebuiltDb, rebuilt);
            assertEquals(Workload.contentDigest(db), Workload.contentDigest(rebuiltDb), seed);
        }
    }

    @Test
    void read_afterCheckpointRestart_rejectsStaleFramesBySalt() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(Driver.JDBC, db, 4096);
        byte[] base = read(db);
        Path walA = dir.resolve("a.db-wal");
        Path walB = dir.resolve("b.db-wal");
        try (SqliteSession s = Driver.JDBC.open(db)) {
            s.exec("PRAGMA wal_autocheckpoint=0");
            for (List<String> tx : Workload.transactions(new Random(SEED), 20, 4096)) {
                s.transaction(tx);
            }
            Files.copy(Workload.wal(db), walA);
            s.exec("PRAGMA wal_checkpoint(PASSIVE)"); // no reader: complete, so the next writer restarts the WAL
            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(10))"));
            Files.copy(Workload.wal(db), walB);
        }
        byte[] checkpointed = read(db);

        try (WalReader a = WalReader.open(walA); WalReader b = WalReader.open(walB)) {
            WalBatch first = a.read(WalPosition.INITIAL);
            WalBatch fromOld = b.read(first.end());
            assertEquals(WalStop.Kind.WAL_RESTARTED, fromOld.stop().kind(), fromOld.stop().message());
            assertEquals(first.end(), fromOld.end());
            WalHeader oldHeader = first.header().orElseThrow();
            WalHeader newHeader = fromOld.header().orElseThrow();
            assertEquals(oldHeader.salt1() + 1, newHeader.salt1(), "salt-1 is incremented on restart");
            assertEquals(oldHeader.checkpointSequence() + 1, newHeader.checkpointSequence());

            WalBatch second = b.read(WalPosition.INITIAL);
            assertEquals(Files.size(walA), Files.size(walB), "a restart overwrites in place, old frames remain");
            assertEquals(1, second.transactions().size());
            assertEquals(WalStop.Kind.SALT_MISMATCH, second.stop().kind(), second.stop().message());
            assertEquals(second.end().offset(), second.stop().offset());

            byte[] afterA = apply(base, a, first.transactions());
            assertArrayEquals(checkpointed, apply(afterA, b, second.transactions()));
        }
    }

    @Test
    void readPage_frameOverwrittenByRestart_throwsWalChanged() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(Driver.JDBC, db, 4096);
        try (SqliteSession s = Driver.JDBC.open(db); WalReader reader = openWal(s, db)) {
            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(100000))"));
            List<WalFrame> old = reader.read(WalPosition.INITIAL).transactions().getFirst().frames();
            java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(4096);
            reader.readPage(old.getFirst(), page);
            assertEquals(4096, page.position());

            s.exec("PRAGMA wal_checkpoint(PASSIVE)");
            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(10))"));
            WalBatch now = reader.read(WalPosition.INITIAL);
            long newEnd = now.end().offset();
            assertThrows(WalChangedException.class, () -> reader.readPage(old.getFirst(), page.clear()));
            WalFrame beyond = old.stream().filter(f -> f.frameOffset() >= newEnd).findFirst().orElseThrow();
            reader.readPage(beyond, page.clear()); // stale but intact: the bytes are still those of its frame
        }
    }

    @Test
    void read_afterTruncateCheckpoint_reportsWalShorterThenRestarted() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(Driver.JDBC, db, 4096);
        try (SqliteSession s = Driver.JDBC.open(db); WalReader reader = openWal(s, db)) {
            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(5000))"));
            WalPosition p = reader.read(WalPosition.INITIAL).end();

            s.exec("PRAGMA wal_checkpoint(TRUNCATE)");
            WalBatch shorter = reader.read(p);
            assertEquals(WalStop.Kind.WAL_SHORTER, shorter.stop().kind(), shorter.stop().message());
            assertEquals(0, Files.size(reader.path()));
            assertEquals(WalStop.Kind.END, reader.read(WalPosition.INITIAL).stop().kind(), "an empty WAL is clean");

            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(10))"));
            assertEquals(WalStop.Kind.WAL_RESTARTED, reader.read(p).stop().kind());
        }
    }

    @Test
    void read_spilledUncommittedTransaction_returnsOnlyCommittedTransactions() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(Driver.JDBC, db, 1024);
        try (SqliteSession.Jdbc s = new SqliteSession.Jdbc(db); WalReader reader = openWal(s, db)) {
            s.exec("PRAGMA cache_size=10"); // a tiny cache makes a big transaction spill frames before its commit
            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(3000))"));
            WalBatch committed = reader.read(WalPosition.INITIAL);
            s.connection().setAutoCommit(false);
            s.exec("INSERT INTO t(v) SELECT randomblob(500) FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL"
                    + " SELECT i + 1 FROM c WHERE i < 2000) SELECT i FROM c)");
            long spilled = Files.size(reader.path());
            assertTrue(spilled > committed.end().offset(), "frames were spilled before the commit");

            WalBatch torn = reader.read(WalPosition.INITIAL);
            assertEquals(pages(committed.transactions()), pages(torn.transactions()));
            // Spilled frames lack a commit; a page spilled twice is overwritten in place and only the commit
            // rewrites the checksums after it, so the chain may also break inside the uncommitted frames.
            assertTrue(Set.of(WalStop.Kind.TORN_TAIL, WalStop.Kind.CHECKSUM_MISMATCH).contains(torn.stop().kind()),
                    torn.stop().toString());
            assertTrue(torn.stop().message().contains("had no commit frame"), torn.stop().message());
            assertEquals(committed.end(), torn.end());

            s.connection().rollback();
            s.connection().setAutoCommit(true);
            s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(10))"));
            WalBatch after = reader.read(committed.end());
            assertEquals(1, after.transactions().size());
            // The shorter transaction overwrote the rolled-back frames' start; the rest have our salts but not our
            // checksum chain, which is the only thing that keeps them out.
            assertEquals(WalStop.Kind.CHECKSUM_MISMATCH, after.stop().kind(), after.stop().message());
            assertEquals(after.end().offset(), after.stop().offset());
        }
    }

    @Test
    void read_liveWalWhileReaderPinsIt_followsCommitsFromSavedPositions() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(Driver.JDBC, db, 4096);
        byte[] state = read(db);
        List<List<String>> workload = Workload.transactions(new Random(SEED), 12, 4096);
        try (SqliteSession.Jdbc writer = new SqliteSession.Jdbc(db);
                SqliteSession.Jdbc pin = new SqliteSession.Jdbc(db);
                WalReader reader = openWal(writer, db)) {
            pin.connection().setAutoCommit(false);
            pin.exec("SELECT count(*) FROM t"); // the engine's long-lived read transaction
            WalPosition position = WalPosition.INITIAL;
            int seen = 0;
            for (List<String> tx : workload) {
                writer.transaction(tx);
                WalBatch batch = reader.read(position, 1);
                assertEquals(1, batch.transactions().size(), "one new commit since the last read, seed=" + SEED);
                state = apply(state, reader, batch.transactions());
                position = batch.end();
                seen++;
            }
            assertEquals(workload.size(), seen);
            assertEquals(WalStop.Kind.END, reader.read(position).stop().kind());
            pin.connection().rollback();
            pin.connection().setAutoCommit(true);
        }
        assertArrayEquals(read(db), state, "incremental application equals the checkpointed file");
        assertNotEquals(0, state.length);
    }

    /** Turns off auto-checkpoints and makes SQLite create the -wal (it does on the first read), then opens it. */
    private static WalReader openWal(SqliteSession s, Path db) throws Exception {
        s.exec("PRAGMA wal_autocheckpoint=0");
        s.exec("SELECT count(*) FROM t");
        return WalReader.open(Workload.wal(db));
    }
}
