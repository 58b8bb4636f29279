package io.litefleet.core.state;

import io.litefleet.api.discovery.FileFingerprint;
import java.time.Instant;
import java.util.Objects;

/**
 * What Litefleet last shipped for one database: enough to prove, on the next start or promotion, that the WAL
 * and the database still continue what the replica holds (or to see that they do not).
 *
 * @param dbPath            absolute path of the database
 * @param replica           where it replicates, as {@code <destination>/<path>} (for listings and messages)
 * @param txid              last TXID uploaded (0: nothing yet)
 * @param postApplyChecksum rolling database checksum after {@code txid} (0 when not tracked)
 * @param pageSize          database page size in bytes (0 when unknown)
 * @param commitPages       database size in pages after {@code txid}
 * @param wal               where in the {@code -wal} the shipped state ends
 * @param fingerprint       size and mtime of the database and {@code -wal} when last synced
 * @param updatedAt         when this position was recorded
 */
public record ReplicaPosition(String dbPath, String replica, long txid, long postApplyChecksum, int pageSize,
                              long commitPages, WalMark wal, FileFingerprint fingerprint, Instant updatedAt) {
    /** Validates. */
    public ReplicaPosition {
        Objects.requireNonNull(dbPath, "dbPath");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(wal, "wal");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (txid < 0 || pageSize < 0 || commitPages < 0) {
            throw new IllegalArgumentException("negative txid, page size or commit size");
        }
    }

    /**
     * A position inside a {@code -wal} file: the offset of the next unread frame, and the WAL generation (salts)
     * and cumulative checksum at that offset.
     *
     * @param offset    byte offset of the next frame (32 = just after the header; 0 = no WAL position)
     * @param salt1     WAL header salt-1 of that generation
     * @param salt2     WAL header salt-2 of that generation
     * @param checksum1 cumulative checksum word 1 after the last frame read
     * @param checksum2 cumulative checksum word 2 after the last frame read
     * @param commitSize database size in pages after the last commit frame before {@code offset}, 0 if none
     * @param frames    frames before {@code offset} in this WAL generation
     */
    public record WalMark(long offset, int salt1, int salt2, int checksum1, int checksum2, long commitSize,
                          long frames) {
        /** No WAL position. */
        public static final WalMark NONE = new WalMark(0, 0, 0, 0, 0, 0, 0);

        /** Validates. */
        public WalMark {
            if (offset < 0 || commitSize < 0 || frames < 0) {
                throw new IllegalArgumentException("negative offset, commit size or frame count");
            }
        }
    }
}
