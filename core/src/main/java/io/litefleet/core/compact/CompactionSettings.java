package io.litefleet.core.compact;

import io.litefleet.core.replica.LtxFileRef;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a database's replica is compacted, snapshotted and trimmed, with upstream Litestream's meaning and defaults
 * ({@code compaction_level.go}, {@code store.go}).
 *
 * @param levels            the compaction levels, level {@code i} at index {@code i}, starting with level 0
 * @param snapshotInterval  how often a level-9 snapshot is written (when the database changed); positive
 * @param snapshotRetention how long snapshots are kept (the newest is always kept); not negative
 * @param l0Retention       how long level-0 files are kept once level 1 covers them; zero keeps them forever, as
 *                          upstream does when {@code l0-retention} is 0
 * @param l0RetentionCheck  how often expired level-0 files are looked for ({@code l0-retention-check-interval},
 *                          upstream's default 15 s): a database writing every second deletes its expired level-0
 *                          files in one batch per check instead of one request per file; positive
 */
public record CompactionSettings(List<CompactionLevel> levels, Duration snapshotInterval, Duration snapshotRetention,
        Duration l0Retention, Duration l0RetentionCheck) {

    /** Upstream's {@code DefaultL0RetentionCheckInterval}. */
    public static final Duration DEFAULT_L0_RETENTION_CHECK = Duration.ofSeconds(15);

    /** Validates like upstream: at least level 0, {@code level == index}, only level 0 without an interval. */
    public CompactionSettings {
        levels = List.copyOf(levels);
        Objects.requireNonNull(snapshotInterval, "snapshotInterval");
        Objects.requireNonNull(snapshotRetention, "snapshotRetention");
        Objects.requireNonNull(l0Retention, "l0Retention");
        Objects.requireNonNull(l0RetentionCheck, "l0RetentionCheck");
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("at least one compaction level (level 0) is required");
        }
        for (int i = 0; i < levels.size(); i++) {
            if (levels.get(i).level() != i) {
                throw new IllegalArgumentException("compaction level number out of order: " + levels.get(i).level()
                        + ", expected " + i);
            }
        }
        if (snapshotInterval.isNegative() || snapshotInterval.isZero()) {
            throw new IllegalArgumentException("snapshot interval must be positive, got " + snapshotInterval);
        }
        if (snapshotRetention.isNegative()) {
            throw new IllegalArgumentException("snapshot retention must not be negative, got " + snapshotRetention);
        }
        if (l0Retention.isNegative()) {
            throw new IllegalArgumentException("L0 retention must not be negative, got " + l0Retention);
        }
        if (l0RetentionCheck.isNegative() || l0RetentionCheck.isZero()) {
            throw new IllegalArgumentException("L0 retention check interval must be positive, got "
                    + l0RetentionCheck);
        }
    }

    /** Settings with upstream's L0 retention check interval. */
    public CompactionSettings(List<CompactionLevel> levels, Duration snapshotInterval, Duration snapshotRetention,
            Duration l0Retention) {
        this(levels, snapshotInterval, snapshotRetention, l0Retention, DEFAULT_L0_RETENTION_CHECK);
    }

    /**
     * Upstream's defaults: L1 30 s, L2 5 min, L3 1 h; snapshots every 24 h kept 24 h; L0 kept 5 min, checked every
     * 15 s.
     */
    public static CompactionSettings defaults() {
        return new CompactionSettings(List.of(CompactionLevel.of(0, Duration.ZERO),
                CompactionLevel.of(1, Duration.ofSeconds(30)), CompactionLevel.of(2, Duration.ofMinutes(5)),
                CompactionLevel.of(3, Duration.ofHours(1))), Duration.ofHours(24), Duration.ofHours(24),
                Duration.ofMinutes(5));
    }

    /** The highest compaction level below the snapshot level (0 when only level 0 exists). */
    public int maxLevel() {
        return levels.size() - 1;
    }

    /** The interval of {@code level}: a compaction level's, or {@link #snapshotInterval} for level 9. */
    public Duration interval(int level) {
        return level == LtxFileRef.SNAPSHOT_LEVEL ? snapshotInterval : levels.get(level).interval();
    }

    /** The longest interval of the compaction levels (1..max; snapshots excluded), or the snapshot interval. */
    public Duration longestLevelInterval() {
        Duration d = Duration.ZERO;
        for (int i = 1; i <= maxLevel(); i++) {
            d = levels.get(i).interval().compareTo(d) > 0 ? levels.get(i).interval() : d;
        }
        return d.isZero() ? snapshotInterval : d;
    }

    /** The shortest interval of any level or of snapshots: the cadence of retries after a failure. */
    public Duration shortestInterval() {
        Duration d = snapshotInterval;
        for (CompactionLevel l : levels.subList(1, levels.size())) {
            d = l.interval().compareTo(d) < 0 ? l.interval() : d;
        }
        return d;
    }
}
