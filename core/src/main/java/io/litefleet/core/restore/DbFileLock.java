package io.litefleet.core.restore;

import io.litefleet.core.engine.SqliteLockBytes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/**
 * SQLite's EXCLUSIVE lock on a rollback-journal database, taken from outside SQLite: a write lock on the pending
 * byte (so no new reader starts) and then on the 510-byte shared range (so it waits for the readers inside a
 * transaction to finish). {@link FileChannel#lock} is a POSIX {@code fcntl} record lock on Linux and macOS, the
 * locks SQLite's unix VFS takes, so SQLite readers in other processes see it and get {@code SQLITE_BUSY} (retried
 * under their busy timeout) while it is held. Held while follow mode writes an update, as upstream does.
 *
 * <p>POSIX record locks belong to the process: a SQLite connection of this process on the same file would drop it
 * when it closes. Follow mode opens none while it holds the lock.
 */
final class DbFileLock implements AutoCloseable {

    private final FileLock pending;
    private final FileLock shared;

    private DbFileLock(FileLock pending, FileLock shared) {
        this.pending = pending;
        this.shared = shared;
    }

    /** Blocks until the lock is held. */
    static DbFileLock acquire(FileChannel db) throws IOException {
        FileLock pending = db.lock(SqliteLockBytes.PENDING_BYTE, 1, false);
        try {
            return new DbFileLock(pending, db.lock(SqliteLockBytes.SHARED_FIRST, SqliteLockBytes.SHARED_SIZE, false));
        } catch (IOException | RuntimeException e) {
            pending.release();
            throw e;
        }
    }

    /** Releases the shared range, then the pending byte. */
    @Override
    public void close() throws IOException {
        try {
            shared.release();
        } finally {
            pending.release();
        }
    }
}
