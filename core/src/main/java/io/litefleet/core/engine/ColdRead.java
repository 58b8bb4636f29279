package io.litefleet.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a small WAL database that has no {@code -wal} whole, without a SQLite connection: the cheap way to capture
 * a cold database (no schema read, no {@code -wal} and {@code -shm} created beside it, no WAL-index mapping).
 *
 * <p>Why the copy is consistent. It is read under SQLite's own SHARED lock on the database file, taken as SQLite's
 * unix VFS takes it (a read lock on the PENDING byte, then on the SHARED range, then the PENDING byte released, so a
 * writer waiting for EXCLUSIVE keeps new readers out). In WAL mode a writer appends to the {@code -wal}, and only a
 * checkpoint writes the database file, copying frames from that {@code -wal}; the {@code -wal} is deleted only by
 * the last connection to close, under an EXCLUSIVE lock, which our SHARED lock rules out. So when there is no
 * {@code -wal} after the whole file has been read, there was none at any moment since the lock was taken, nothing
 * wrote the database file meanwhile, and the copy is the committed state. When a {@code -wal} exists, or the
 * lock, the header or the size says anything else, the caller opens a SQLite connection as usual.
 *
 * <p>Our descriptor is closed at once, releasing the lock: this is for a database no connection of this process
 * has open (closing a descriptor drops every POSIX lock the process holds on the file).
 */
final class ColdRead implements DbFile {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 100;

    private final ByteBuffer bytes;
    private final int pageSize;

    private ColdRead(ByteBuffer bytes, int pageSize) {
        this.bytes = bytes;
        this.pageSize = pageSize;
    }

    /**
     * The file's bytes when {@code file} is a WAL database of at most {@code maxBytes} with no {@code wal} (and no
     * rollback journal) before and after the read, read under a SHARED lock, and {@code file} still names the file
     * whose key is {@code fileKey} (null: not checked) after it; empty when it is not (the caller then opens a
     * connection).
     */
    static Optional<ColdRead> read(Path file, Path wal, long maxBytes, Object fileKey) throws IOException {
        return read(file, wal, maxBytes, fileKey, () -> { });
    }

    /** {@link #read(Path, Path, long, Object)}, running {@code afterCopy} (tests) between the copy and the last check. */
    static Optional<ColdRead> read(Path file, Path wal, long maxBytes, Object fileKey, Runnable afterCopy)
            throws IOException {
        if (!absent(wal)) {
            return Optional.empty();
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // the connection reports it missing
        }
        try (ch) {
            long size = ch.size();
            if (size < HEADER || size > maxBytes || !sharedLock(ch)) {
                return Optional.empty();
            }
            size = ch.size(); // under the lock now
            if (size < HEADER || size > maxBytes) {
                return Optional.empty();
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            // The header first: anything but a WAL database goes to a connection before a long read holds the lock.
            if (!fill(ch, bytes.limit(HEADER)) || walPageSize(bytes) == 0 || !fill(ch, bytes.limit((int) size))) {
                return Optional.empty();
            }
            afterCopy.run();
            int pageSize = walPageSize(bytes);
            // A -journal beside a WAL header: a switch to WAL mode that crashed before its commit, which SQLite rolls
            // back at the next read. A file key that changed: a directory on the path was relinked meanwhile, and
            // the -wal checked is another directory's.
            if (size % pageSize != 0 || !absent(wal) || !absent(journal(file)) || !sameFile(file, fileKey)) {
                return Optional.empty();
            }
            return Optional.of(new ColdRead(bytes.clear(), pageSize));
        } // closing the channel releases the lock
    }

    /** Reads from {@code buffer}'s position to its limit; false when the file ends first. */
    private static boolean fill(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (ch.read(buffer, buffer.position()) < 0) {
                return false; // shorter than its size: not a state to trust
            }
        }
        return true;
    }

    private static Path journal(Path file) {
        return file.resolveSibling(file.getFileName() + "-journal");
    }

    private static boolean sameFile(Path file, Object fileKey) throws IOException {
        if (fileKey == null) {
            return true;
        }
        BasicFileAttributes now = file.getFileSystem().provider().readAttributesIfExists(file,
                BasicFileAttributes.class);
        return now != null && fileKey.equals(now.fileKey());
    }

    /** SQLite's SHARED lock on {@code ch}, as its unix VFS takes it; false when a writer holds or waits for more. */
    private static boolean sharedLock(FileChannel ch) throws IOException {
        try {
            FileLock pending = ch.tryLock(SqliteLockBytes.PENDING_BYTE, 1, true);
            if (pending == null) {
                return false;
            }
            try {
                return ch.tryLock(SqliteLockBytes.SHARED_FIRST, SqliteLockBytes.SHARED_SIZE, true) != null;
            } finally {
                pending.release();
            }
        } catch (OverlappingFileLockException e) {
            return false; // this process locks the file through another channel: not cold
        } catch (IOException e) {
            return false; // no record locks here (ENOLCK, a file system without them): a connection decides
        }
    }

    /** The page size of a WAL database header (read and write versions 2), 0 for anything else. */
    static int walPageSize(ByteBuffer file) {
        if (!Arrays.equals(file.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || file.get(18) != 2 || file.get(19) != 2) {
            return 0;
        }
        int field = file.getShort(16) & 0xffff;
        int pageSize = field == 1 ? 65536 : field;
        return pageSize >= 512 && Integer.bitCount(pageSize) == 1 ? pageSize : 0;
    }

    /** Whether {@code p} surely does not exist (an unreadable directory counts as "may exist"). */
    private static boolean absent(Path p) {
        try {
            // Without the exception Files.notExists builds for a missing file (the JDK answers from the errno only
            // when following links; a -wal that is a link leads where SQLite would write).
            return p.getFileSystem().provider().readAttributesIfExists(p, BasicFileAttributes.class) == null;
        } catch (IOException e) {
            return false;
        }
    }

    int pageSize() {
        return pageSize;
    }

    @Override
    public int read(ByteBuffer dst, long position) {
        if (position >= bytes.capacity()) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), bytes.capacity() - position);
        dst.put(bytes.slice((int) position, n));
        return n;
    }

    @Override
    public long size() {
        return bytes.capacity();
    }
}
