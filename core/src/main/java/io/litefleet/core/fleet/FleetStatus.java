package io.litefleet.core.fleet;

/**
 * Counters of a running fleet, for logs, metrics and the demo.
 *
 * @param known        databases discovered (all tiers, deleted included)
 * @param hot          streamed now
 * @param cold         tracked only
 * @param deleted      discovered earlier, gone now (their replicas are kept)
 * @param excluded     not replicated: replica-path collisions or unusable templates
 * @param promotions   cold to hot
 * @param demotions    hot to cold (idle, evicted or deleted)
 * @param evictions    demotions to make room for another database
 * @param transients   transient passes (open, sync, close) for changed databases beyond the cap
 * @param backlog      changed databases waiting for a transient pass
 * @param scans        full scans done
 * @param lastScanMs   duration of the last full scan
 * @param watch        how far watching can be trusted, which sets how often full scans run
 * @param scanEvery    the time between full scans now: the full-scan interval while watching is healthy, the scan
 *                     interval otherwise
 * @param settles      settle passes done (compaction, snapshot, retention in one go) for cold databases' replicas
 * @param running      transient and settle passes running now
 * @param settlesPending settle passes still to come: rows marked behind, queued, or with work at a known later time
 * @param captures     syncs that uploaded the database's current state because continuity with the replica could
 *                     not be proven (first replications included)
 * @param unmatchedPatterns patterns under which the last full scan found no database of the fleet (databases
 *                     listed under {@code dbs:} and the state directory do not count), in configuration order; empty
 *                     before the first scan. A database found by watching since then takes its pattern off the list.
 */
public record FleetStatus(int known, int hot, int cold, int deleted, int excluded, long promotions, long demotions,
                          long evictions, long transients, int backlog, long scans, long lastScanMs,
                          WatchHealth watch, java.time.Duration scanEvery, long settles, int settlesPending,
                          int running, long captures, java.util.List<String> unmatchedPatterns) {
    /** Copies. */
    public FleetStatus {
        unmatchedPatterns = java.util.List.copyOf(unmatchedPatterns);
    }

    /** Whether file-system watching is active (healthy or not). */
    public boolean watching() {
        return watch != WatchHealth.OFF;
    }
}
