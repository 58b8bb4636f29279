package io.litefleet.api.discovery;

/**
 * Cheap change detector for a database: size and modification time of the database file and of its
 * {@code -wal}. Comparing two fingerprints costs no I/O. A missing {@code -wal} has size and mtime 0.
 *
 * @param dbSize        database file size in bytes
 * @param dbMtimeNanos  database file modification time, nanoseconds since the epoch
 * @param walSize       {@code -wal} size in bytes, 0 when absent
 * @param walMtimeNanos {@code -wal} modification time, 0 when absent
 */
public record FileFingerprint(long dbSize, long dbMtimeNanos, long walSize, long walMtimeNanos) {
    /** The fingerprint of nothing. */
    public static final FileFingerprint ABSENT = new FileFingerprint(0, 0, 0, 0);

    /** Validates the sizes. */
    public FileFingerprint {
        if (dbSize < 0 || walSize < 0) {
            throw new IllegalArgumentException("sizes must be >= 0");
        }
    }

    /** The later of the two modification times. */
    public long lastChangeNanos() {
        return Math.max(dbMtimeNanos, walMtimeNanos);
    }
}
