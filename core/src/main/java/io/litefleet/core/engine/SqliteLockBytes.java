package io.litefleet.core.engine;

/**
 * The bytes of a database file that SQLite's unix VFS locks with POSIX {@code fcntl} record locks (os_unix.c), for
 * code that takes SQLite's locks from outside SQLite: a read lock on the SHARED range is a SHARED lock, a write lock
 * on it an EXCLUSIVE one, and the PENDING byte, locked first, keeps new readers out while a writer waits.
 */
public final class SqliteLockBytes {
    /** PENDING_BYTE (0x40000000), the first byte past 1 GiB. */
    public static final long PENDING_BYTE = 0x4000_0000L;
    /** The first byte of the SHARED range, after the RESERVED byte. */
    public static final long SHARED_FIRST = PENDING_BYTE + 2;
    /** The length of the SHARED range. */
    public static final int SHARED_SIZE = 510;

    private SqliteLockBytes() {
    }
}
