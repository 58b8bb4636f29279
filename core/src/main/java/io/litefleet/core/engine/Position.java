package io.litefleet.core.engine;

import io.litefleet.core.wal.WalPosition;
import java.util.Objects;

/**
 * What the replica holds of one database: the last TXID shipped, the LTX database checksum of that state, its
 * page size and size in pages, and where in the {@code -wal} that state ends.
 *
 * @param txid     last TXID uploaded, 0 before the first
 * @param checksum rolling LTX database checksum of the state at {@code txid} (kept locally; files carry none)
 * @param pageSize page size in bytes
 * @param commit   database size in pages at {@code txid}
 * @param wal      the WAL position just after the last shipped frame ({@link WalPosition#INITIAL} when the state
 *                 is entirely in the database file)
 */
record Position(long txid, long checksum, int pageSize, int commit, WalPosition wal) {
    Position {
        Objects.requireNonNull(wal, "wal");
        if (txid < 0 || commit < 0) {
            throw new IllegalArgumentException("negative txid or commit");
        }
    }

    Position withWal(WalPosition w) {
        return new Position(txid, checksum, pageSize, commit, w);
    }
}
