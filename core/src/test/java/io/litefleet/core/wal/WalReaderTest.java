package io.litefleet.core.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument checks, lifecycle and the stops that need a hand-made situation. */
class WalReaderTest {
    @TempDir
    static Path dir;
    static byte[] wal;

    @TempDir
    Path work;

    @BeforeAll
    static void writeRealWal() throws Exception {
        Path db = dir.resolve("app.db");
        Workload.create(SqliteSession.Driver.JDBC, db, 4096);
        try (SqliteSession s = SqliteSession.Driver.JDBC.open(db)) {
            s.exec("PRAGMA wal_autocheckpoint=0");
            for (int i = 0; i < 3; i++) {
                s.transaction(List.of("INSERT INTO t(v) VALUES (randomblob(9000))"));
            }
            wal = Files.readAllBytes(Workload.wal(db));
        }
    }

    private Path copy() throws Exception {
        return Files.write(Files.createTempFile(work, "w", ".db-wal"), wal);
    }

    @Test
    void read_fileCutBeforeSavedPosition_reportsWalShorterAndKeepsPosition() throws Exception {
        Path p = copy();
        try (WalReader reader = WalReader.open(p); FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            WalPosition end = reader.read(WalPosition.INITIAL).end();
            ch.truncate(end.offset() - 1);
            WalBatch batch = reader.read(end);
            assertEquals(WalStop.Kind.WAL_SHORTER, batch.stop().kind());
            assertEquals(end.offset(), batch.stop().offset());
            assertEquals(end, batch.end());
            assertTrue(batch.header().isPresent());
        }
    }

    @Test
    void read_positionOffFrameBoundary_isRejectedAsBug() throws Exception {
        try (WalReader reader = WalReader.open(copy())) {
            WalPosition end = reader.read(WalPosition.INITIAL).end();
            WalPosition skewed = new WalPosition(end.offset() - 8, end.salt1(), end.salt2(), end.checksum1(),
                    end.checksum2(), end.commitSize(), end.frameCount());
            assertThrows(IllegalArgumentException.class, () -> reader.read(skewed));
            assertThrows(IllegalArgumentException.class, () -> reader.read(WalPosition.INITIAL, 0));
        }
    }

    @Test
    void readPage_destinationTooSmall_isRejected() throws Exception {
        try (WalReader reader = WalReader.open(copy())) {
            WalFrame frame = reader.read(WalPosition.INITIAL).transactions().getFirst().frames().getFirst();
            ByteBuffer small = ByteBuffer.allocate(4095);
            assertThrows(IllegalArgumentException.class, () -> reader.readPage(frame, small));
            assertEquals(0, small.position());
        }
    }

    @Test
    void close_twice_isHarmlessAndLaterReadsFail() throws Exception {
        WalReader reader = WalReader.open(copy());
        reader.close();
        reader.close();
        assertThrows(IllegalStateException.class, () -> reader.read(WalPosition.INITIAL));
    }

    @Test
    void position_insideHeader_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WalPosition(16, 0, 0, 0, 0, 0, 0));
    }
}
