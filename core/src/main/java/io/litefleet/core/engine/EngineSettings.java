package io.litefleet.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How one database is streamed. Defaults follow Litestream where it has the same knob.
 *
 * @param syncInterval          how often new WAL frames are shipped (default 1 s)
 * @param minCheckpointPages    WAL size in frames that triggers a PASSIVE checkpoint (default 1000)
 * @param truncatePages         WAL size in frames that triggers a TRUNCATE checkpoint (default 121359, ~500 MB)
 * @param checkpointInterval    a PASSIVE checkpoint at least this often while something was shipped (default 1 m)
 * @param busyTimeout           how long opening the database may wait for locks (default 1 s)
 * @param checkpointBusyTimeout how long our own checkpoint may make the application wait (default 100 ms)
 * @param maxSyncBytes          WAL bytes shipped in one LTX file at most; more goes into further files (64 MiB)
 * @param convertToWal          whether a rollback-journal database is switched to WAL mode before it is streamed (as
 *                              Litestream does), instead of refused; off in {@link #DEFAULTS}: a {@code dbs:} entry
 *                              and the command line turn it on, fleet mode only when {@code multi-db:} says so
 * @param maxSyncFiles          upstream's {@code max-sync-ltx-files} as configured (0: none). Upstream uploads that
 *                              many local LTX files per pass and repeats passes until none is left, so a sync always
 *                              drains; Litefleet uploads each file as it is made and records its position after
 *                              each, so every sync drains the WAL whatever the value (kept for status and checks)
 */
public record EngineSettings(Duration syncInterval, long minCheckpointPages, long truncatePages,
                             Duration checkpointInterval, Duration busyTimeout, Duration checkpointBusyTimeout,
                             long maxSyncBytes, boolean convertToWal, int maxSyncFiles) {
    /** Litestream's defaults, except that a rollback-journal database is refused rather than converted. */
    public static final EngineSettings DEFAULTS = new EngineSettings(Duration.ofSeconds(1), 1000, 121_359,
            Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(100), 64L << 20);

    /** Settings that refuse a rollback-journal database, without a limit of files per sync. */
    public EngineSettings(Duration syncInterval, long minCheckpointPages, long truncatePages,
                          Duration checkpointInterval, Duration busyTimeout, Duration checkpointBusyTimeout,
                          long maxSyncBytes) {
        this(syncInterval, minCheckpointPages, truncatePages, checkpointInterval, busyTimeout, checkpointBusyTimeout,
                maxSyncBytes, false, 0);
    }

    /** Validates. */
    public EngineSettings {
        Objects.requireNonNull(syncInterval, "syncInterval");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(checkpointBusyTimeout, "checkpointBusyTimeout");
        if (syncInterval.isNegative() || syncInterval.isZero()) {
            throw new IllegalArgumentException("sync interval must be positive");
        }
        if (minCheckpointPages < 1 || truncatePages < minCheckpointPages || maxSyncBytes < 1 || maxSyncFiles < 0) {
            throw new IllegalArgumentException("checkpoint thresholds and sync size must be positive, "
                    + "truncate >= min");
        }
    }

    /** These settings with another sync interval. */
    public EngineSettings withSyncInterval(Duration d) {
        return new EngineSettings(d, minCheckpointPages, truncatePages, checkpointInterval, busyTimeout,
                checkpointBusyTimeout, maxSyncBytes, convertToWal, maxSyncFiles);
    }

    /** These settings converting rollback-journal databases to WAL mode, or refusing them. */
    public EngineSettings withConvertToWal(boolean convert) {
        return new EngineSettings(syncInterval, minCheckpointPages, truncatePages, checkpointInterval, busyTimeout,
                checkpointBusyTimeout, maxSyncBytes, convert, maxSyncFiles);
    }

    /** These settings with another {@code max-sync-ltx-files} (0: none); see {@link #maxSyncFiles()}. */
    public EngineSettings withMaxSyncFiles(int n) {
        return new EngineSettings(syncInterval, minCheckpointPages, truncatePages, checkpointInterval, busyTimeout,
                checkpointBusyTimeout, maxSyncBytes, convertToWal, n);
    }
}
