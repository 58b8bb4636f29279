package io.litefleet.core.replica;

import java.time.Instant;
import java.util.Objects;

/**
 * One LTX file in a replica, as far as restore planning needs it.
 *
 * @param level     compaction level 0..9 (9 = snapshots)
 * @param minTxid   first transaction it contains
 * @param maxTxid   last transaction it contains; the database state after applying it is the state at this TXID
 * @param createdAt when its last transaction was committed (the LTX header timestamp, or the store's best record
 *                  of it)
 * @param size      object size in bytes
 */
public record LtxFileRef(int level, long minTxid, long maxTxid, Instant createdAt, long size) {
    /** Litestream's snapshot level: files there hold every page (TXID 1 to their max). */
    public static final int SNAPSHOT_LEVEL = 9;

    /** Validates. */
    public LtxFileRef {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("level must be 0..9: " + level);
        }
        if (minTxid < 1 || maxTxid < minTxid) {
            throw new IllegalArgumentException("bad TXID range " + minTxid + "-" + maxTxid);
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the file starts from an empty database (it holds every page). */
    public boolean isSnapshot() {
        return minTxid == 1 || level == SNAPSHOT_LEVEL;
    }

    @Override
    public String toString() {
        return "L" + level + "/" + String.format("%016x-%016x", minTxid, maxTxid);
    }
}
