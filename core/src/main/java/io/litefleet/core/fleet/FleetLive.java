package io.litefleet.core.fleet;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a running fleet knows in memory beyond its catalog, taken on the fleet thread for the status API: the hot set
 * with each destination's sync health, the databases in error with why, and how discovery goes. No storage request
 * builds it.
 *
 * @param hot          the hot databases, in no particular order
 * @param errors       databases the fleet refused or failed on (not replicated until they change)
 * @param lastScan     when the last full discovery scan completed, if one has
 * @param scanInterval the time between full scans as last scheduled: the full-scan interval while watching is
 *                     healthy, the scan interval otherwise
 * @param watch        how far file-system watching can be trusted
 * @param watchReason  why watching is not healthy; empty while it is
 * @param started      when the fleet started
 */
public record FleetLive(List<HotDb> hot, List<ErrorDb> errors, Optional<Instant> lastScan, Duration scanInterval,
                        WatchHealth watch, String watchReason, Instant started) {
    /** Copies. */
    public FleetLive {
        hot = List.copyOf(hot);
        errors = List.copyOf(errors);
        Objects.requireNonNull(lastScan, "lastScan");
        Objects.requireNonNull(scanInterval, "scanInterval");
        Objects.requireNonNull(watch, "watch");
        Objects.requireNonNull(watchReason, "watchReason");
        Objects.requireNonNull(started, "started");
    }

    /** Whether file-system watching is active (healthy or not). */
    public boolean watching() {
        return watch != WatchHealth.OFF;
    }

    /**
     * A hot database.
     *
     * @param path       the database
     * @param lastActive when it last changed or shipped something (fleet clock, to the second)
     * @param replicas   one per destination
     */
    public record HotDb(Path path, Instant lastActive, List<HotReplica> replicas) {
        /** Copies. */
        public HotDb {
            replicas = List.copyOf(replicas);
        }
    }

    /**
     * One destination of a hot database.
     *
     * @param destination the destination (client description, the same for every database it serves)
     * @param url         this database's replica URL
     * @param txid        the TXID it holds
     * @param health      how its syncs go; empty when it is no longer scheduled (being demoted)
     */
    public record HotReplica(String destination, String url, long txid, Optional<SyncScheduler.SyncHealth> health) {
    }

    /**
     * A database in error.
     *
     * @param path   the database
     * @param state  {@code refused} (the engine cannot replicate it) or {@code failed} (an internal error)
     * @param reason why, as logged
     */
    public record ErrorDb(Path path, String state, String reason) {
    }
}
