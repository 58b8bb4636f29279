package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.api.tier.AccessSample;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.config.CollisionDetector;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.NotReplicableException;
import io.litefleet.core.engine.ReplicaTarget;
import io.litefleet.core.engine.SyncScheduler;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tracks every database of a fleet cheaply and streams only the active ones (the design's MultiDBManager).
 *
 * <p>All databases live as rows of a {@link DbTable}; a hot one additionally has a {@link DbReplicator} scheduled
 * on the shared {@link SyncScheduler}. One owned thread ({@code litefleet-fleet-0}) runs discovery scans, handles
 * watch events, asks the {@link TieringPolicy}, promotes (evicting the least recently active hot database when the
 * cap is reached), demotes idle ones, and runs transient passes (open, sync, close) for changed databases that
 * cannot be hot now, so none is left behind. A cold database has no thread, descriptor, timer or replica request.
 * Everything that touches the table runs on that thread; workers report back through its queue.
 */
public final class FleetManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FleetManager.class.getName());
    private static final Duration TICK = Duration.ofMillis(200);
    private static final boolean TRACE = Boolean.getBoolean("litefleet.fleet.trace");

    private final Discovery discovery;
    private final List<String> patterns;
    private final TieringPolicy policy;
    private final TargetResolver resolver;
    private final Catalog catalog;
    private final FleetOptions options;
    private final Clock clock;
    private final SyncScheduler scheduler;
    private final DbTable table = new DbTable();
    private final Instant epoch;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Map<Integer, Hot> hot = new HashMap<>();
    private final Map<DbReplicator, Integer> hotIds = new IdentityHashMap<>();
    private final ArrayDeque<Integer> backlog = new ArrayDeque<>();
    private final BitSet queued = new BitSet();
    private final BitSet busy = new BitSet();
    /** Paths that could not be added to the table (each logged once); normally empty. */
    private final java.util.Set<String> untrackable = new java.util.HashSet<>();
    /** Rows a change wanted promoted while a pass held them; promoted when it ends. */
    private final BitSet promoteWhenFree = new BitSet();
    /** Cold rows settled with work left for later (files to expire), by when. */
    private final java.util.PriorityQueue<Due> settleLater = new java.util.PriorityQueue<>(
            java.util.Comparator.comparing(Due::at));
    /** Rows whose transient passes failed: how often in a row, and not before when to try again. */
    private final Map<Integer, Retry> retries = new HashMap<>();
    /** Cold databases whose replica levels are behind (changed by transient passes, or just demoted). */
    private final BitSet unsettled = new BitSet();
    private final ArrayDeque<Integer> settleQueue = new ArrayDeque<>();
    private final Duration settleEvery;
    /** How old a cold replica's newest snapshot may be before a settle pass takes another. */
    private final Duration snapshotEvery;
    /** Paths to record as needing, or no longer needing, a settle pass (flushed with the tiers). */
    private final java.util.Set<String> settleNeeded = new java.util.LinkedHashSet<>();
    private final java.util.Set<String> settleDone = new java.util.LinkedHashSet<>();
    /** Paths the last run left unsettled, until the first scan has seen them. */
    private java.util.Set<String> unsettledAtStart = java.util.Set.of();
    private Instant nextSettle;
    private long settles;
    private final java.util.concurrent.atomic.AtomicLong captures = new java.util.concurrent.atomic.AtomicLong();
    private final CollisionDetector collisions;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private Map<String, ReplicaPosition> baseline;
    private List<Runnable> deferred;
    private final List<Catalog.TierChange> tierChanges = new java.util.ArrayList<>();
    private volatile FleetStatus status;
    private boolean watching;
    private boolean rescan = true;
    private Instant nextScan;
    private long promotions;
    private long demotions;
    private long evictions;
    private long transients;
    private int passes;
    private long scans;
    private long lastScanMs;
    /** Patterns the last scan found nothing under (see {@link FleetStatus#unmatchedPatterns()}). */
    private List<String> unmatched = List.of();

    /** Consecutive failures of a row's transient passes, and when the next may run. */
    private record Retry(int failures, Instant at) {
    }

    /** A row to settle again at {@code at}. */
    private record Due(Instant at, int id) {
    }

    /** A hot database: its replicator and when it was last active (table clock, seconds). */
    private static final class Hot {
        final int id;
        final DbReplicator replicator;
        final Maintenance maintenance;
        int lastActive;

        Hot(int id, DbReplicator replicator, Maintenance maintenance, int lastActive) {
            this.id = id;
            this.replicator = replicator;
            this.maintenance = maintenance;
            this.lastActive = lastActive;
        }
    }

    private FleetManager(Discovery discovery, List<String> patterns, TieringPolicy policy, TargetResolver resolver,
                         Catalog catalog, FleetOptions options, Clock clock) {
        this.discovery = discovery;
        this.patterns = List.copyOf(patterns);
        this.policy = policy;
        this.resolver = resolver;
        this.catalog = catalog;
        this.options = options;
        this.clock = clock;
        this.epoch = clock.instant();
        this.nextScan = epoch;
        this.settleEvery = options.coldSnapshotInterval().orElse(options.compaction().longestLevelInterval());
        this.snapshotEvery = options.coldSnapshotInterval().orElse(options.compaction().snapshotInterval());
        this.nextSettle = epoch.plus(settleEvery);
        this.scheduler = SyncScheduler.start(options.syncWorkers(), clock, ev -> {
            if (ev.result() != null && ev.result().files() > 0) {
                inbox.add(() -> touch(ev.db()));
            }
            if (ev.result() != null && ev.result().capture()) {
                captures.incrementAndGet();
            }
        });
        this.collisions = CollisionDetector.create(new CollisionDetector.Lookup() {
            @Override
            public Path path(int i) {
                return table.path(i);
            }

            @Override
            public String pattern(int i) {
                return FleetManager.this.patterns.get(table.pattern(i));
            }

            @Override
            public String replicaPath(int i) {
                return replicaPathOf(i);
            }
        });
        this.thread = new Thread(this::loop, "litefleet-fleet-0");
        this.thread.setDaemon(true);
    }

    /**
     * Starts the fleet: loads the catalog's baseline, starts watching (when the discovery can) and begins the
     * first scan on the fleet thread.
     *
     * @param patterns the discovery's patterns, in the order its {@link DiscoveredDatabase#pattern()} refers to
     */
    public static FleetManager start(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                     TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock)
            throws IOException {
        FleetManager m = new FleetManager(discovery, patterns, policy, resolver, catalog, options, clock);
        m.unsettledAtStart = new java.util.HashSet<>(catalog.unsettled());
        m.baseline = new HashMap<>();
        for (ReplicaPosition p : catalog.all()) {
            m.baseline.put(p.dbPath(), p);
        }
        m.watching = discovery.watch(new DiscoveryListener() {
            @Override
            public void changed(Path path) {
                m.inbox.add(() -> m.onPath(path));
            }

            @Override
            public void overflowed(String reason) {
                LOG.log(System.Logger.Level.WARNING, "discovery watch lost events (" + reason + "); rescanning");
                m.inbox.add(() -> m.rescan = true);
            }
        });
        m.publishStatus();
        m.thread.start();
        return m;
    }

    /** The counters as of the last fleet-thread step. */
    public FleetStatus status() {
        return status;
    }

    private void loop() {
        try {
            while (running.get()) {
                Runnable r = inbox.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    if (r != null) {
                        r.run();
                        Runnable more;
                        while ((more = inbox.poll()) != null) {
                            more.run();
                        }
                    }
                    step();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "fleet step failed (continuing)", e);
                }
                publishStatus();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    private void step() {
        Instant now = clock.instant();
        flushTiers();
        if (rescan || !now.isBefore(nextScan)) {
            rescan = false;
            nextScan = now.plus(options.scanInterval()); // also when the scan fails: no busy loop of scans
            scan();
        }
        demoteIdle(now);
        drainBacklog();
        queueSettles(now);
        drainSettles();
    }

    private void scan() {
        long start = System.nanoTime();
        BitSet seen = new BitSet(table.size());
        BitSet matched = new BitSet(patterns.size());
        deferred = new java.util.ArrayList<>();
        try {
            // Known databases are only stat-ed: opening one we hold a connection to would drop its locks.
            discovery.scan(db -> {
                int id = discoveredSafely(db);
                if (id >= 0) {
                    seen.set(id);
                    matched.set(table.pattern(id));
                }
            }, p -> table.find(p) >= 0);
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
        for (int id = 0; id < table.size(); id++) {
            if (!seen.get(id) && table.state(id) != DbTable.DELETED && !Files.exists(table.path(id))) {
                deleted(id);
            }
        }
        noteUnmatched(matched);
        baseline = null; // only the first scan compares with the catalog
        unsettledAtStart = java.util.Set.of();
        if (table.hasSlack()) {
            table.trim();
        }
        scans++;
        lastScanMs = (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * Patterns that found nothing are said once: after the first scan (a typo or a wrong root runs silently
     * otherwise), and later only when a pattern stops finding anything. Costs one bit per pattern per scan.
     */
    private void noteUnmatched(BitSet matched) {
        List<String> now = new java.util.ArrayList<>();
        for (int k = 0; k < patterns.size(); k++) {
            if (!matched.get(k)) {
                now.add(patterns.get(k));
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

    /** As {@link #onDiscovered}, but one database that cannot be tracked never stops the scan; -1 then. */
    private int discoveredSafely(DiscoveredDatabase db) {
        try {
            return onDiscovered(db);
        } catch (RuntimeException e) {
            if (untrackable.add(db.path().toString())) {
                LOG.log(System.Logger.Level.ERROR, db.path() + ": NOT REPLICATED (cannot be tracked): "
                        + e.getMessage());
            }
            return -1;
        }
    }

    /** Adds or refreshes a discovered database; returns its row. */
    private int onDiscovered(DiscoveredDatabase db) {
        int id = table.find(db.path());
        int now = nowSec();
        if (id < 0) {
            id = table.add(db.path(), Math.max(0, patterns.indexOf(db.pattern())), db.fingerprint());
            if (unmatched.contains(db.pattern())) {
                unmatched = unmatched.stream().filter(p -> !p.equals(db.pattern())).toList(); // found by watching
                LOG.log(System.Logger.Level.INFO, "pattern '" + db.pattern() + "' matches " + db.path());
            }
            String replicaPath;
            try {
                replicaPath = resolver.replicaPath(db);
            } catch (RuntimeException e) {
                // A value unusable in a replica path (empty, '.', '..'): this database only is not replicated.
                LOG.log(System.Logger.Level.ERROR, db.path() + ": NOT REPLICATED: " + e.getMessage());
                table.state(id, DbTable.EXCLUDED);
                return id;
            }
            if (excludedByCollision(id, replicaPath)) {
                return id;
            }
            if (unsettledAtStart.contains(db.path().toString())) {
                unsettled.set(id); // the last run left its replica unsettled
            }
            ReplicaPosition known = baseline == null ? null : baseline.get(db.path().toString());
            if (known != null && DbTable.hash(known.fingerprint()) == DbTable.hash(db.fingerprint())
                    && sameReplica(known, db)) {
                return id; // unchanged since the last run, same replica: nothing to do
            }
            // First sight: one transient pass captures it (or continues its replica); a later change promotes it.
            int fresh = id;
            act(() -> enqueueTransient(fresh));
            return id;
        }
        if (table.observe(id, db.fingerprint())) {
            Hot h = hot.get(id);
            if (h != null) {
                h.lastActive = now;
            }
            if (table.state(id) == DbTable.DELETED) {
                table.state(id, DbTable.COLD);
                LOG.log(System.Logger.Level.INFO, db.path() + ": reappeared; it will be captured anew");
                String replicaPath = replicaPathOf(id);
                if (!replicaPath.isEmpty() && excludedByCollision(id, replicaPath)) {
                    return id;
                }
            }
            int changedId = id;
            act(() -> changed(changedId, db.fingerprint()));
        }
        return id;
    }

    /** Offers a row's replica path; when it collides, every database sharing it is excluded, loudly. */
    private boolean excludedByCollision(int id, String replicaPath) {
        var collision = collisions.add(id, replicaPath);
        if (collision.isEmpty()) {
            return false;
        }
        LOG.log(System.Logger.Level.ERROR, "NOT REPLICATED: " + collision.get().message());
        collision.get().databases().forEach(member -> excludeForCollision(member.index()));
        return true;
    }

    private boolean sameReplica(ReplicaPosition known, DiscoveredDatabase db) {
        try {
            return known.replica().equals(resolver.resolve(db).describe());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void act(Runnable r) {
        if (deferred != null) {
            deferred.add(r);
        } else {
            r.run();
        }
    }

    private void onPath(Path path) {
        DiscoveredDatabase db;
        try {
            db = discovery.probe(path, table.find(path) < 0);
        } catch (IOException e) {
            db = null;
        }
        if (db != null) {
            discoveredSafely(db);
            return;
        }
        int id = table.find(path);
        if (id >= 0 && table.state(id) != DbTable.DELETED && !Files.exists(path)) {
            deleted(id);
        }
    }

    /**
     * A database the engine cannot replicate as it is (not in WAL mode, unreadable, ...): logged, and tried again
     * at its next change rather than never.
     */
    private void refuse(int id, Throwable e) {
        LOG.log(System.Logger.Level.ERROR, table.path(id) + ": NOT REPLICATED (until it changes): " + e.getMessage());
        table.state(id, DbTable.REFUSED);
    }

    private void changed(int id, FileFingerprint fp) {
        if (table.state(id) == DbTable.REFUSED) {
            table.state(id, DbTable.COLD);
        }
        byte state = table.state(id);
        if (collisions.isExcluded(id)) {
            table.state(id, DbTable.EXCLUDED);
            return;
        }
        if (state == DbTable.HOT || state == DbTable.EXCLUDED) {
            return;
        }
        Duration since = Duration.between(Instant.ofEpochSecond(0, fp.lastChangeNanos()), clock.instant());
        AccessSample sample = new AccessSample(Tier.COLD, since.isNegative() ? Duration.ZERO : since, Duration.ZERO,
                table.changes(id));
        if (TRACE) {
            LOG.log(System.Logger.Level.INFO, "TRACE changed " + table.path(id) + " state=" + state + " sample="
                    + sample + " busy=" + busy.get(id) + " decision=" + policy.decide(sample));
        }
        if (policy.decide(sample) == TierDecision.PROMOTE) {
            promote(id);
        } else {
            enqueueTransient(id); // not active enough to stream, but the change must still reach the replica
        }
    }

    private void promote(int id) {
        if (busy.get(id)) {
            promoteWhenFree.set(id); // closing, or in a transient or settle pass: never two at once on one database
            return;
        }
        if (hot.size() >= options.maxHot()) {
            Hot victim = leastRecentlyActive();
            if (victim == null || nowSec() - victim.lastActive < options.minResidency().toSeconds()) {
                enqueueTransient(id);
                return;
            }
            evictions++;
            demote(victim, "evicted for " + table.path(id));
        }
        DbReplicator rep;
        Maintenance m;
        try {
            DiscoveredDatabase db = discovery.probe(table.path(id), false);
            if (db == null) {
                return;
            }
            ReplicaTarget target = resolver.resolve(db);
            m = Maintenance.create(target, options.compaction());
            rep = DbReplicator.create(db.path(), target, catalog, options.engine(), clock, m::onUploaded);
        } catch (IOException | RuntimeException e) {
            if (isPermanent(e)) {
                refuse(id, e);
            } else {
                LOG.log(System.Logger.Level.WARNING, table.path(id) + ": cannot promote now (a transient pass will "
                        + "retry): " + e.getMessage());
                enqueueTransient(id);
            }
            return;
        }
        Hot h = new Hot(id, rep, m, nowSec());
        hot.put(id, h);
        hotIds.put(rep, id);
        table.state(id, DbTable.HOT);
        unsettled.clear(id);
        settleDone.add(table.path(id).toString()); // its own maintenance runs its levels now
        table.resetChanges(id);
        promotions++;
        tier(id, "hot", 1, 0);
        scheduler.add(rep, options.engine().syncInterval(), m);
    }

    private Hot leastRecentlyActive() {
        Hot best = null;
        for (Hot h : hot.values()) {
            if (best == null || h.lastActive < best.lastActive) {
                best = h;
            }
        }
        return best;
    }

    private void demoteIdle(Instant now) {
        for (Hot h : List.copyOf(hot.values())) {
            Duration idle = Duration.ofSeconds(Math.max(0, nowSec() - h.lastActive));
            if (policy.decide(new AccessSample(Tier.HOT, idle, Duration.ZERO, 0)) == TierDecision.DEMOTE) {
                demote(h, "idle for " + idle.toSeconds() + " s");
            }
        }
    }

    private void demote(Hot h, String why) {
        hot.remove(h.id);
        hotIds.remove(h.replicator);
        demotions++;
        table.state(h.id, DbTable.COLD);
        needsSettle(h.id); // levels not yet due while it was hot are settled once it is cold
        tier(h.id, "cold", 0, 1);
        table.resetChanges(h.id);
        LOG.log(System.Logger.Level.DEBUG, () -> table.path(h.id) + ": demoted (" + why + ")");
        busy.set(h.id);
        scheduler.remove(h.replicator).whenComplete((synced, err) -> inbox.add(() -> {
            if (!Boolean.TRUE.equals(synced) && table.state(h.id) == DbTable.COLD) {
                enqueueTransient(h.id); // the final sync failed: a transient pass (with backoff) ships the rest
            }
            release(h.id);
        }));
    }

    private void deleted(int id) {
        Hot h = hot.get(id);
        if (h != null) {
            demote(h, "deleted");
        }
        table.state(id, DbTable.DELETED);
        tier(id, "deleted", 0, 0);
        LOG.log(System.Logger.Level.INFO, table.path(id) + ": deleted; replication stopped, replica kept");
        collisions.remove(id, replicaPathOf(id)).ifPresent(survivor -> {
            if (table.state(survivor) == DbTable.EXCLUDED) {
                table.state(survivor, DbTable.COLD);
                tier(survivor, "cold", 0, 0);
                LOG.log(System.Logger.Level.WARNING, table.path(survivor) + ": no longer shares its replica path ("
                        + table.path(id) + " was deleted); replicating it now");
                enqueueTransient(survivor);
            }
        });
    }

    private void excludeForCollision(int id) {
        Hot h = hot.get(id);
        if (h != null) {
            demote(h, "replica path collision");
        }
        table.state(id, DbTable.EXCLUDED);
        tier(id, "excluded", 0, 0);
    }

    /** Whether retrying cannot help until the file (or the config) changes. */
    private static boolean isPermanent(Throwable e) {
        return e instanceof NotReplicableException || e instanceof io.litefleet.api.ConfigException;
    }

    /** A transient pass on a cold row failed: refused when retrying cannot help, else retried with backoff. */
    private void passFailed(int id, Throwable cause) {
        if (isPermanent(cause)) {
            retries.remove(id);
            refuse(id, cause); // its next change will try again
            return;
        }
        Retry last = retries.get(id);
        int n = last == null ? 1 : last.failures() + 1;
        retries.put(id, new Retry(n, clock.instant().plusMillis(SyncScheduler.backoffMillis(n))));
        if (n == 1) {
            LOG.log(System.Logger.Level.WARNING, table.path(id) + ": transient sync failed (retrying with backoff): "
                    + cause.getMessage());
        }
        enqueueTransient(id);
    }

    /** A pass on {@code id} ended: a promotion that waited for it goes ahead now. */
    private void release(int id) {
        busy.clear(id);
        if (promoteWhenFree.get(id)) {
            promoteWhenFree.clear(id);
            if (table.state(id) == DbTable.COLD) {
                promote(id);
            }
        }
    }

    private void enqueueTransient(int id) {
        if (!queued.get(id)) {
            queued.set(id);
            backlog.add(id);
        }
    }

    private void drainBacklog() {
        List<Integer> later = new java.util.ArrayList<>();
        while (passes < options.maxTransient() && !backlog.isEmpty()) {
            int id = backlog.poll();
            queued.clear(id);
            byte state = table.state(id);
            if (state != DbTable.COLD || collisions.isExcluded(id)) {
                continue; // promoted, deleted or excluded meanwhile
            }
            Retry retry = retries.get(id);
            if (busy.get(id) || (retry != null && clock.instant().isBefore(retry.at()))) {
                later.add(id); // closing, already in a pass, or backing off after a failure
                continue;
            }
            DbReplicator rep;
            try {
                DiscoveredDatabase db = discovery.probe(table.path(id), false);
                if (db == null) {
                    continue;
                }
                rep = DbReplicator.create(db.path(), resolver.resolve(db), catalog, options.engine(), clock,
                        ref -> { });
            } catch (IOException | RuntimeException e) {
                passFailed(id, e);
                continue;
            }
            busy.set(id);
            passes++;
            transients++;
            scheduler.runOnce(rep).whenComplete((r, err) -> inbox.add(() -> {
                passes--;
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                if (r != null && r.capture()) {
                    captures.incrementAndGet();
                }
                // Only a row still cold takes the outcome: one deleted or excluded meanwhile keeps that state.
                // The pass releases the row last, so a promotion waiting for it sees the outcome.
                if (table.state(id) == DbTable.COLD) {
                    if (cause != null) {
                        passFailed(id, cause);
                    } else {
                        retries.remove(id);
                        if (r != null && r.files() > 0 && r.txid() > 1) {
                            needsSettle(id); // changes beyond a first capture: its levels are now behind
                        }
                    }
                }
                release(id);
            }));
        }
        later.forEach(this::enqueueTransient);
    }

    /** Every settle interval, the cold databases whose replicas are behind are queued for one settle pass each. */
    private void queueSettles(Instant now) {
        if (now.isBefore(nextSettle)) {
            return;
        }
        nextSettle = now.plus(settleEvery);
        while (!settleLater.isEmpty() && !settleLater.peek().at().isAfter(now)) {
            unsettled.set(settleLater.poll().id());
        }
        for (int id = unsettled.nextSetBit(0); id >= 0; id = unsettled.nextSetBit(id + 1)) {
            byte state = table.state(id);
            if (state == DbTable.HOT || state == DbTable.EXCLUDED) {
                unsettled.clear(id); // a hot database's own maintenance runs its levels
            } else if (!busy.get(id)) {
                unsettled.clear(id);
                settleQueue.add(id);
            }
        }
    }

    /**
     * Settle passes, in the transient slots transient passes leave free: compaction, a snapshot when due and
     * retention for a cold database's replica, in one go (see {@link Maintenance#settle}). The database file is
     * not touched. A replica left with work for later (files to expire) is settled again at a later interval; one
     * with none is not visited again until it changes: an idle cold database costs no request.
     */
    private void drainSettles() {
        while (passes < options.maxTransient() && !settleQueue.isEmpty()) {
            int id = settleQueue.poll();
            byte state = table.state(id);
            if (state == DbTable.HOT || state == DbTable.EXCLUDED) {
                continue;
            }
            if (busy.get(id)) {
                unsettled.set(id); // busy now; the next interval takes it
                continue;
            }
            Maintenance m;
            try {
                DiscoveredDatabase db = discovery.match(table.path(id));
                if (db == null) {
                    continue;
                }
                m = Maintenance.create(resolver.resolve(db), options.compaction());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, table.path(id) + ": cannot settle its replica: " + e.getMessage());
                continue;
            }
            busy.set(id);
            passes++;
            scheduler.execute(() -> m.settle(clock.instant(), snapshotEvery)).whenComplete((r, err) ->
                    inbox.add(() -> {
                        passes--;
                        settles++;
                        if (err != null || r.report().failure() != null) {
                            Throwable why = err != null ? err : r.report().failure();
                            LOG.log(System.Logger.Level.WARNING, table.path(id) + ": settling its replica failed "
                                    + "(retrying at the next interval): " + why.getMessage());
                            unsettled.set(id);
                        } else if (!r.nextCheck().equals(Instant.MAX)) {
                            settleLater.add(new Due(r.nextCheck(), id)); // not before there is work
                        } else {
                            settleDone.add(table.path(id).toString());
                        }
                        release(id);
                    }));
        }
    }

    private void tier(int id, String tier, int promoted, int demoted) {
        tierChanges.add(new Catalog.TierChange(table.path(id).toString(), tier, promoted, demoted, clock.instant()));
    }

    /** Marks a row's replica as needing a settle pass, here and in the catalog (so a restart still settles it). */
    private void needsSettle(int id) {
        unsettled.set(id);
        settleDone.remove(table.path(id).toString());
        settleNeeded.add(table.path(id).toString());
    }

    private void flushTiers() {
        if (!settleNeeded.isEmpty() || !settleDone.isEmpty()) {
            try {
                catalog.putUnsettled(settleNeeded, settleDone);
                settleNeeded.clear();
                settleDone.clear();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot record unsettled replicas (retrying): "
                        + e.getMessage());
            }
        }
        if (tierChanges.isEmpty()) {
            return;
        }
        try {
            catalog.putTiers(tierChanges);
            tierChanges.clear();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record tiers (retrying): " + e.getMessage());
        }
    }

    private void touch(DbReplicator rep) {
        Integer id = hotIds.get(rep);
        Hot h = id == null ? null : hot.get(id);
        if (h != null) {
            h.lastActive = nowSec();
        }
    }

    /** The replica path of a row, recomputed from its path alone (the file need not exist any more). */
    private String replicaPathOf(int id) {
        DiscoveredDatabase db = discovery.match(table.path(id));
        try {
            return db == null ? "" : resolver.replicaPath(db);
        } catch (RuntimeException e) {
            return "";
        }
    }

    private int nowSec() {
        return (int) Duration.between(epoch, clock.instant()).toSeconds();
    }

    private void publishStatus() {
        status = new FleetStatus(table.size(), hot.size(), table.count(DbTable.COLD), table.count(DbTable.DELETED),
                table.count(DbTable.EXCLUDED) + table.count(DbTable.REFUSED), promotions, demotions, evictions,
                transients, backlog.size(), scans, lastScanMs, watching, settles, passes, captures.get(), unmatched);
    }

    /** Waits until the fleet thread has handled everything queued before this call (tests). */
    void barrier() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        inbox.add(done::countDown);
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fleet thread did not answer within 30 s");
        }
    }

    /** The scheduler, for tests that hold its workers. */
    SyncScheduler scheduler() {
        return scheduler;
    }

    /** The table, for measurement (heap per cold database). */
    DbTable table() {
        return table;
    }

    /** Stops the fleet thread, then the watch, then every hot database's final sync. Idempotent. */
    @Override
    public void close() {
        if (!running.getAndSet(false)) {
            return;
        }
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        discovery.close();
        scheduler.close();
        for (Hot h : hot.values()) {
            tier(h.id, "cold", 0, 1);
            table.state(h.id, DbTable.COLD);
            needsSettle(h.id); // the next run settles what its maintenance had not done yet
        }
        hot.clear();
        flushTiers();
        publishStatus();
    }
}
