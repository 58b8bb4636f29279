package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.config.CollisionDetector;
import io.litefleet.core.state.ReplicaPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Intake from discovery: scans (every full-scan interval while the watch is healthy, every scan interval while it is
 * not, at once after lost watch events; see {@link WatchTracker}) and watch events become
 * rows of the table. A new database gets one transient pass (its first capture, or the continuation of its
 * replica), unless the catalog shows it unchanged since the last run; a known one that changed goes to the hot set;
 * a vanished one is marked deleted. Replica-path collisions exclude every database involved, loudly, and a pattern
 * that matches nothing is said once. Fleet thread only.
 */
final class Intake {
    private static final System.Logger LOG = System.getLogger(Intake.class.getName());

    private final Fleet f;
    private final HotSet hot;
    private final Passes passes;
    private final Settler settler;
    private final CollisionDetector collisions;
    /** Paths that could not be added to the table (each logged once); normally empty. */
    private final Set<String> untrackable = new HashSet<>();
    /** The catalog's positions, until the first scan has compared every database with them. */
    private Map<String, List<ReplicaPosition>> baseline;
    /** Paths the last run left unsettled, until the first scan has seen them. */
    private Set<String> unsettledAtStart;
    /** Actions of the scan in progress, run when it ends (null outside a scan). */
    private List<Runnable> deferred;
    /** Patterns the last scan found nothing under (see {@link FleetStatus#unmatchedPatterns()}). */
    private List<String> unmatched = List.of();
    private boolean rescan = true;
    private Instant nextScan;
    /** The interval the last scan scheduled the next one at (depends on the watch's health then). */
    private Duration scanEvery;
    private final WatchTracker watch;
    private long scans;
    private long lastScanMs;
    /** Durations of the full scans that completed. */
    private final io.litefleet.core.engine.DurationHistogram scanDurations =
            io.litefleet.core.engine.DurationHistogram.of(io.litefleet.core.engine.DurationHistogram.SCAN_BOUNDS);
    private Instant lastScanAt;

    Intake(Fleet f, HotSet hot, Passes passes, Settler settler, Map<String, List<ReplicaPosition>> baseline,
           Set<String> unsettledAtStart) {
        this.f = f;
        this.hot = hot;
        this.passes = passes;
        this.settler = settler;
        this.baseline = new HashMap<>(baseline);
        this.unsettledAtStart = new HashSet<>(unsettledAtStart);
        this.nextScan = f.epoch;
        this.watch = new WatchTracker(f.options.scanInterval(), f.options.fullScanInterval());
        this.scanEvery = f.options.scanInterval();
        this.collisions = CollisionDetector.create(new CollisionDetector.Lookup() {
            @Override
            public Path path(int i) {
                return f.table.path(i);
            }

            @Override
            public String pattern(int i) {
                return f.patterns.get(f.table.pattern(i));
            }

            @Override
            public String replicaPath(int i) {
                return replicaPathOf(i);
            }
        });
    }

    /** Whether the discovery started watching; without it, scans run at the scan interval. */
    void watching(boolean on) {
        watch.started(on);
    }

    /** Watch events were lost: scan at the next step, and at the scan interval for a while. */
    void lost(String reason) {
        watch.lost(f.clock.instant(), reason);
        rescan = true;
    }

    /** Watching misses directories for good: scan at the next step, and at the scan interval from now on. */
    void incomplete(String reason) {
        watch.incomplete(reason);
        rescan = true;
    }

    /**
     * Scans when the interval has passed (or a rescan was asked for): the scan interval while watching is not
     * healthy, the full-scan interval (a safety net for anything watching missed) while it is.
     */
    void scanIfDue(Instant now) {
        if (rescan || !now.isBefore(nextScan)) {
            rescan = false;
            scanEvery = watch.interval(now);
            nextScan = now.plus(scanEvery); // also when the scan fails: no busy loop of scans
            scan();
        }
    }

    /** How far watching can be trusted now. */
    WatchHealth watchHealth() {
        return watch.health(f.clock.instant());
    }

    /** Why watching is not healthy; empty while it is. */
    String watchReason() {
        return watch.reason(f.clock.instant());
    }

    /** The time between full scans as last scheduled (before the first scan: the scan interval). */
    Duration scanEvery() {
        return scanEvery;
    }

    private void scan() {
        long start = System.nanoTime();
        BitSet seen = new BitSet(f.table.size());
        BitSet matched = new BitSet(f.patterns.size());
        deferred = new ArrayList<>();
        try {
            // Known databases are only stat-ed: opening one we hold a connection to would drop its locks.
            f.discovery.scan(db -> {
                int id = discoveredSafely(db);
                if (id >= 0) {
                    seen.set(id);
                    matched.set(f.table.pattern(id));
                }
            }, p -> f.table.find(p) >= 0);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "discovery scan failed (retrying at the next scan): "
                    + e.getMessage());
            return;
        } finally {
            // Acted on only after the whole scan: a replica-path collision must exclude both databases before
            // either is replicated.
            List<Runnable> actions = deferred;
            deferred = null;
            actions.forEach(Runnable::run);
        }
        for (int id = 0; id < f.table.size(); id++) {
            if (!seen.get(id) && f.lifecycle.state(id) != RowState.DELETED && !Files.exists(f.table.path(id))) {
                deleted(id);
            }
        }
        noteUnmatched(matched);
        if (baseline != null) {
            goneWhileStopped();
        }
        baseline = null; // only the first scan compares with the catalog
        unsettledAtStart = Set.of();
        if (f.table.hasSlack()) {
            f.table.trim();
        }
        scans++;
        lastScanAt = f.clock.instant();
        long took = System.nanoTime() - start;
        lastScanMs = took / 1_000_000;
        scanDurations.observeNanos(took);
    }

    /**
     * Databases the catalog knows, which a pattern still covers but whose file is gone, were deleted while no fleet
     * ran: recorded so (the deletion lifecycle, {@code litefleet prune}, ages from the first time).
     */
    private void goneWhileStopped() {
        for (String known : baseline.keySet()) {
            Path p = Path.of(known);
            if (f.table.find(p) < 0 && f.discovery.match(p) != null && !Files.exists(p)) {
                f.lifecycle.recordGone(known);
            }
        }
    }

    /**
     * Patterns that found nothing are said once: after the first scan (a typo or a wrong root runs silently
     * otherwise), and later only when a pattern stops finding anything. Costs one bit per pattern per scan.
     */
    private void noteUnmatched(BitSet matched) {
        List<String> now = new ArrayList<>();
        for (int k = 0; k < f.patterns.size(); k++) {
            if (!matched.get(k)) {
                now.add(f.patterns.get(k));
            }
        }
        for (String p : now) {
            if (scans == 0 || !unmatched.contains(p)) {
                LOG.log(System.Logger.Level.WARNING, "pattern '" + p + "' matches no database"
                        + (scans == 0 ? "" : " any more") + " (databases listed under dbs:, the state directory and "
                        + "symlinked files are not part of the fleet); check the pattern if databases are expected "
                        + "there");
            }
        }
        unmatched = List.copyOf(now);
    }

    /**
     * A watch event for {@code path}. A probe that fails (too many open files, permission, I/O error) loses the
     * event like an overflow does: scan at the next step and at the scan interval for a while, and leave the row
     * as it is (the file may well exist).
     */
    void onPath(Path path) {
        DiscoveredDatabase db;
        try {
            db = f.discovery.probe(path, f.table.find(path) < 0);
        } catch (IOException e) {
            lost("cannot probe " + path + " after a watch event: " + e.getMessage());
            return;
        }
        if (db != null) {
            discoveredSafely(db);
            return;
        }
        int id = f.table.find(path);
        if (id >= 0 && f.lifecycle.state(id) != RowState.DELETED && !Files.exists(path)) {
            deleted(id);
        }
    }

    /** As {@link #onDiscovered}, but one database that cannot be tracked never stops the scan; -1 then. */
    private int discoveredSafely(DiscoveredDatabase db) {
        try {
            return onDiscovered(db);
        } catch (RuntimeException e) {
            if (untrackable.add(db.path().toString())) {
                // A name the table cannot hold is bad input; anything else is a bug and gets its stack, once.
                LOG.log(System.Logger.Level.ERROR, db.path() + ": NOT REPLICATED (cannot be tracked): "
                        + e.getMessage(), e instanceof IllegalArgumentException ? null : e);
            }
            return -1;
        }
    }

    /** Adds or refreshes a discovered database; returns its row. */
    private int onDiscovered(DiscoveredDatabase db) {
        int id = f.table.find(db.path());
        if (id < 0) {
            return added(db);
        }
        if (f.table.observe(id, db.fingerprint())) {
            hot.touch(id);
            if (f.lifecycle.state(id) == RowState.DELETED) {
                f.lifecycle.move(id, RowState.COLD);
                LOG.log(System.Logger.Level.INFO, db.path() + ": reappeared; it will be captured anew");
                String replicaPath = replicaPathOf(id);
                if (!replicaPath.isEmpty() && excludedByCollision(id, replicaPath)) {
                    return id;
                }
            }
            if (collisions.isExcluded(id)) {
                hot.stop(id, RowState.EXCLUDED, "replica path collision");
                return id;
            }
            int changedId = id;
            act(() -> hot.changed(changedId, db.fingerprint()));
        }
        return id;
    }

    private int added(DiscoveredDatabase db) {
        int id = f.table.add(db.path(), Math.max(0, f.patterns.indexOf(db.pattern())), db.fingerprint());
        if (unmatched.contains(db.pattern())) {
            unmatched = unmatched.stream().filter(p -> !p.equals(db.pattern())).toList(); // found by watching
            LOG.log(System.Logger.Level.INFO, "pattern '" + db.pattern() + "' matches " + db.path());
        }
        String replicaPath;
        try {
            replicaPath = f.resolver.replicaPath(db);
        } catch (RuntimeException e) {
            // A value unusable in a replica path (empty, '.', '..'), or a replica another database owns.
            LOG.log(System.Logger.Level.ERROR, db.path() + ": NOT REPLICATED: " + e.getMessage(),
                    Failure.of(e) == Failure.BUG ? e : null);
            f.lifecycle.move(id, RowState.EXCLUDED);
            return id;
        }
        if (excludedByCollision(id, replicaPath)) {
            return id;
        }
        if (unsettledAtStart.contains(db.path().toString())) {
            settler.unsettledAtStart(id); // the last run left its replica unsettled
        }
        List<ReplicaPosition> known = baseline == null ? null : baseline.get(db.path().toString());
        if (known != null && unchangedEverywhere(known, db)) {
            act(() -> f.ownership.claimIdle(id)); // cluster: held here again, or learnt to be held elsewhere
            return id; // unchanged since the last run at every destination: nothing to do
        }
        // First sight: one transient pass captures it (or continues its replica); a later change promotes it.
        act(() -> passes.enqueue(id));
        return id;
    }

    /** Offers a row's replica path; when it collides, every database sharing it is excluded, loudly. */
    private boolean excludedByCollision(int id, String replicaPath) {
        var collision = collisions.add(id, replicaPath);
        if (collision.isEmpty()) {
            return false;
        }
        LOG.log(System.Logger.Level.ERROR, "NOT REPLICATED: " + collision.get().message());
        collision.get().databases().forEach(member -> hot.stop(member.index(), RowState.EXCLUDED,
                "replica path collision"));
        return true;
    }

    /** Whether every destination of {@code db} recorded a position at exactly its current fingerprint. */
    private boolean unchangedEverywhere(List<ReplicaPosition> known, DiscoveredDatabase db) {
        try {
            long now = DbTable.hash(db.fingerprint());
            for (var target : f.resolver.resolveAll(db)) {
                String where = target.describe();
                if (known.stream().noneMatch(p -> p.replica().equals(where) && DbTable.hash(p.fingerprint()) == now)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // not the same as far as we can tell: the pass decides
        }
    }

    private void act(Runnable r) {
        if (deferred != null) {
            deferred.add(r);
        } else {
            r.run();
        }
    }

    private void deleted(int id) {
        hot.stop(id, RowState.DELETED, "deleted");
        LOG.log(System.Logger.Level.INFO, f.table.path(id) + ": deleted; replication stopped, replica kept");
        collisions.remove(id, replicaPathOf(id)).ifPresent(survivor -> {
            if (f.lifecycle.state(survivor) == RowState.EXCLUDED) {
                f.lifecycle.move(survivor, RowState.COLD);
                LOG.log(System.Logger.Level.WARNING, f.table.path(survivor) + ": no longer shares its replica path ("
                        + f.table.path(id) + " was deleted); replicating it now");
                passes.enqueue(survivor);
            }
        });
    }

    /** The replica path of a row, recomputed from its path alone (the file need not exist any more). */
    private String replicaPathOf(int id) {
        DiscoveredDatabase db = f.discovery.match(f.table.path(id));
        try {
            return db == null ? "" : f.resolver.replicaPath(db);
        } catch (RuntimeException e) {
            return "";
        }
    }

    List<String> unmatched() {
        return unmatched;
    }

    long scans() {
        return scans;
    }

    /** The durations of completed full scans. Thread-safe. */
    io.litefleet.core.engine.DurationHistogram.Snapshot scanDurations() {
        return scanDurations.snapshot();
    }

    /** When the last full scan completed, if one has. */
    java.util.Optional<Instant> lastScanAt() {
        return java.util.Optional.ofNullable(lastScanAt);
    }

    long lastScanMs() {
        return lastScanMs;
    }
}
