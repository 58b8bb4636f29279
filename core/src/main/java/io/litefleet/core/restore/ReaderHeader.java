package io.litefleet.core.restore;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The database header of a follow-mode database, which other processes read while updates are written into it
 * from outside SQLite (sqlite.org/fileformat2.html, section 1.3): rollback-journal mode (bytes 18-19 = 1, so readers
 * take the file locks {@link DbFileLock} conflicts with, never a {@code -wal}/{@code -shm}), the file change counter
 * (bytes 24-27) moved on every update so every reader drops its page cache, and the in-header size (bytes 28-31)
 * with its version-valid-for number (bytes 92-95) kept true. Upstream rewrites bytes 18-19 and randomises 24-27 only
 * when an update holds page 1; an update without page 1 then left readers' caches stale.
 */
final class ReaderHeader {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private ReaderHeader() {
    }

    /** The page size the header of {@code db} (open as {@code ch}) records. */
    static int pageSize(FileChannel ch, Path db) throws IOException {
        ByteBuffer h = read(ch, db);
        int v = h.getShort(16) & 0xffff;
        int size = v == 1 ? 65536 : v;
        if (size < 512 || Integer.bitCount(size) != 1) {
            throw new RestoreException(db + ": the database header holds no valid page size (" + v + ")");
        }
        return size;
    }

    /** The file change counter (bytes 24-27) of {@code db}. */
    static int changeCounter(FileChannel ch, Path db) throws IOException {
        return read(ch, db).getInt(24);
    }

    /**
     * Rewrites the header of {@code db} as the class describes, for its current length, with the change counter
     * {@code counter}: one past the value readers last saw, read before the update (the pages an update writes
     * carry the source's counter, which may equal it).
     */
    static void write(FileChannel ch, Path db, int counter) throws IOException {
        ByteBuffer h = read(ch, db);
        int pageSize = pageSize(ch, db);
        h.put(18, (byte) 1).put(19, (byte) 1).putInt(24, counter).putInt(28, (int) (ch.size() / pageSize))
                .putInt(92, counter);
        h.rewind();
        while (h.hasRemaining()) {
            ch.write(h, h.position());
        }
    }

    private static ByteBuffer read(FileChannel ch, Path db) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(100);
        while (h.hasRemaining()) {
            if (ch.read(h, h.position()) < 0) {
                throw new EOFException(db + ": shorter than a database header (100 bytes)");
            }
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (h.get(i) != MAGIC[i]) {
                throw new RestoreException(db + ": not a SQLite database (no 'SQLite format 3' header)");
            }
        }
        return h;
    }
}
