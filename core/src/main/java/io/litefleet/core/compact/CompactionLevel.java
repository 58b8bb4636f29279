package io.litefleet.core.compact;

import io.litefleet.core.replica.LtxFileRef;
import java.time.Duration;
import java.util.Objects;

/**
 * One compaction level: files of level {@code level - 1} are merged into one file of this level once per
 * {@code interval}. Level 0 holds the files the sync engine uploads and has no interval.
 *
 * @param level    0..8 (9 is the snapshot level, configured through {@link CompactionSettings#snapshotInterval})
 * @param interval how often the level is compacted; zero for level 0, positive otherwise
 */
public record CompactionLevel(int level, Duration interval) {
    /** Validates the pair as upstream's {@code CompactionLevels.Validate} does for one entry. */
    public CompactionLevel {
        Objects.requireNonNull(interval, "interval");
        if (level < 0 || level > LtxFileRef.SNAPSHOT_LEVEL - 1) {
            throw new IllegalArgumentException("compaction level must be 0.." + (LtxFileRef.SNAPSHOT_LEVEL - 1)
                    + ", got " + level);
        }
        if (level == 0 && !interval.isZero()) {
            throw new IllegalArgumentException("cannot set an interval on compaction level 0, got " + interval);
        }
        if (level != 0 && (interval.isNegative() || interval.isZero())) {
            throw new IllegalArgumentException("interval required for level " + level + ", got " + interval);
        }
    }

    /** Level {@code level} compacted every {@code interval}. */
    public static CompactionLevel of(int level, Duration interval) {
        return new CompactionLevel(level, interval);
    }
}
