package io.litefleet.core.engine;

import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.wal.WalBatch;
import io.litefleet.core.wal.WalFrame;
import io.litefleet.core.wal.WalReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The database as our read transaction sees it: the database file overlaid with the latest committed WAL frame
 * of each page. Consistent while we hold the read transaction: checkpoints cannot backfill past our snapshot, so
 * the pages we read from the database file cannot change under us, and the WAL cannot restart. Not thread-safe.
 */
final class DatabaseImage {
    private final DbFile dbFile;
    private final WalReader wal;
    private final Map<Long, WalFrame> frames = new HashMap<>();
    private final int pageSize;
    private final int commit;

    private DatabaseImage(DbFile dbFile, WalReader wal, int pageSize, int commit) {
        this.dbFile = dbFile;
        this.wal = wal;
        this.pageSize = pageSize;
        this.commit = commit;
    }

    /**
     * The image given a read of the whole WAL from its start ({@code batch}); the database size is the last
     * commit's, or the file's when the WAL holds no commit.
     */
    static DatabaseImage of(DbFile dbFile, WalReader wal, WalBatch batch, int pageSize) throws IOException {
        checkPageSize(dbFile, pageSize);
        if (batch.header().isPresent()) {
            PageSizeMismatchException.check("the -wal", batch.header().get().pageSize(), pageSize);
        }
        int commit = batch.transactions().isEmpty()
                ? (int) (dbFile.size() / pageSize)
                : (int) batch.transactions().get(batch.transactions().size() - 1).commitSize();
        DatabaseImage image = new DatabaseImage(dbFile, wal, pageSize, commit);
        for (WalFrame f : batch.latestFrames()) {
            image.frames.put(f.pageNumber(), f);
        }
        return image;
    }

    /** The database file alone, ignoring the WAL (what a fully checkpointed WAL would leave). */
    static DatabaseImage fileOnly(DbFile dbFile, int pageSize) throws IOException {
        checkPageSize(dbFile, pageSize);
        return new DatabaseImage(dbFile, null, pageSize, (int) (dbFile.size() / pageSize));
    }

    /** Pages in the database. */
    int commit() {
        return commit;
    }

    /** Whether page {@code pgno} exists and is not the lock page. */
    boolean hasPage(int pgno) {
        return pgno >= 1 && pgno <= commit && pgno != LtxHeader.lockPgno(pageSize);
    }

    /** Reads page {@code pgno} into {@code page} (exactly one page long). */
    void read(int pgno, byte[] page) throws IOException {
        WalFrame f = frames.get((long) pgno);
        ByteBuffer buf = ByteBuffer.wrap(page);
        if (f != null) {
            wal.readPage(f, buf);
            return;
        }
        long pos = (long) (pgno - 1) * pageSize;
        while (buf.hasRemaining()) {
            int n = dbFile.read(buf, pos + buf.position());
            if (n < 0) {
                throw new EOFException("database file ends before page " + pgno);
            }
        }
    }

    /** The database header's page size (bytes 16-17, 1 meaning 65536) must be {@code pageSize}; an empty file passes. */
    private static void checkPageSize(DbFile dbFile, int pageSize) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2);
        while (b.hasRemaining() && dbFile.read(b, 16 + b.position()) > 0) {
            // read both bytes
        }
        if (b.hasRemaining()) {
            return;
        }
        int field = b.getShort(0) & 0xffff;
        PageSizeMismatchException.check("the database file", field == 1 ? 65536 : field, pageSize);
    }
}
