package io.litefleet.core.fleet;

import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.EngineSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How a fleet runs.
 *
 * @param maxHot        at most this many databases are streamed at once (open connection, scheduled syncs)
 * @param scanInterval  full discovery scan period while file-system watching is unavailable or not healthy
 * @param syncWorkers   threads driving every sync (independent of the number of databases)
 * @param maxTransient  transient passes (open, sync, close) running at once for changed databases beyond the cap
 * @param minResidency  a hot database changed more recently than this is not evicted for another one
 * @param engine        how each hot database is streamed
 * @param compaction    compaction, snapshots and retention (hot databases run it on the level boundaries, cold
 *                      ones in settle passes)
 * @param coldSnapshotInterval how often a cold database whose replica changed is settled and gets a snapshot;
 *                      empty: settled every longest level interval, snapshots at the snapshot interval
 * @param fullScanInterval full discovery scan period while watching is healthy (a safety net); at least
 *                      {@code scanInterval}
 */
public record FleetOptions(int maxHot, Duration scanInterval, int syncWorkers, int maxTransient,
                           Duration minResidency, EngineSettings engine, CompactionSettings compaction,
                           java.util.Optional<Duration> coldSnapshotInterval, Duration fullScanInterval) {

    /** Validates. */
    public FleetOptions {
        if (maxHot < 1 || syncWorkers < 1 || maxTransient < 1) {
            throw new IllegalArgumentException("max-hot, workers and transient passes must be positive");
        }
        Objects.requireNonNull(scanInterval, "scanInterval");
        Objects.requireNonNull(minResidency, "minResidency");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(compaction, "compaction");
        Objects.requireNonNull(coldSnapshotInterval, "coldSnapshotInterval");
        if (Objects.requireNonNull(fullScanInterval, "fullScanInterval").compareTo(scanInterval) < 0) {
            throw new IllegalArgumentException("the full-scan interval must not be shorter than the scan interval");
        }
    }

    /** With full scans at {@code scanInterval} whatever the watch's health. */
    public FleetOptions(int maxHot, Duration scanInterval, int syncWorkers, int maxTransient, Duration minResidency,
                        EngineSettings engine, CompactionSettings compaction,
                        java.util.Optional<Duration> coldSnapshotInterval) {
        this(maxHot, scanInterval, syncWorkers, maxTransient, minResidency, engine, compaction, coldSnapshotInterval,
                scanInterval);
    }
}
