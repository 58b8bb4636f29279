package io.litefleet.core;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.replica.Fence;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.SyncResult;
import io.litefleet.core.fleet.SyncScheduler;
import io.litefleet.core.metric.ReplicationMetrics;
import io.litefleet.core.replica.ReplicaOverlaps;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.StateLock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The databases given explicitly ({@code dbs:} entries, {@link Litefleet.Builder#database}, and those registered
 * at runtime through the control socket): one replicator per destination each, on the process's scheduler. A
 * database may be stopped (its final sync ran, its replicators are off the schedule, it stays listed and locked)
 * and started again, registered and unregistered. Thread-safe: the control socket calls in from its connections.
 */
final class ListedDatabases {
    private static final System.Logger LOG = System.getLogger(ListedDatabases.class.getName());
    private final ReplicaClients clients;
    private final ReplicaOverlaps claimed;
    private final Catalog catalog;
    private final SyncScheduler scheduler;
    private final CompactionSettings compaction;
    private final Clock clock;
    private final Path stateDir;
    private final boolean fleetMode;
    private final StateLock processLock;
    private final Coordinator coordinator;
    private final Map<Path, Listed> dbs = new LinkedHashMap<>(); // guarded by this
    /** Databases of the start-up plan: the process's {@link StateLock} holds their locks until it ends. */
    private final java.util.Set<Path> lockedByProcess = new java.util.HashSet<>(); // guarded by this

    /**
     * One listed database: its destinations and their replicators, made once (a replicator closed by a stop opens
     * again at its next sync, so metrics keep following the same ones).
     */
    private static final class Listed {
        final DbConfig config;
        final List<ReplicaTarget> targets;
        /** Cluster mode: why it is not replicated here now (held by another instance, not claimed yet); else null. */
        String heldBy;
        /** The session its targets' fences belong to (-1: none yet). */
        long sessionId = -1;
        final List<DbReplicator> replicators = new ArrayList<>();
        final List<Maintenance> maintenance = new ArrayList<>();
        final DbStats stats = new DbStats();
        /** Its own lock in the state directory when registered at runtime (started ones share the process's). */
        final StateLock lock;
        List<DbReplicator> running = List.of();
        volatile Instant lastSync;

        Listed(DbConfig config, List<ReplicaTarget> targets, StateLock lock) {
            this.config = config;
            this.targets = targets;
            this.lock = lock;
        }
    }

    ListedDatabases(ReplicaClients clients, ReplicaOverlaps claimed, Catalog catalog, SyncScheduler scheduler,
                    CompactionSettings compaction, Clock clock, Path stateDir, boolean fleetMode,
                    StateLock processLock, Coordinator coordinator) {
        this.processLock = processLock;
        this.coordinator = coordinator;
        this.clients = clients;
        this.claimed = claimed;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.compaction = compaction;
        this.clock = clock;
        this.stateDir = stateDir;
        this.fleetMode = fleetMode;
        if (!(coordinator instanceof SingleNodeCoordinator)) {
            coordinator.listen(new OwnershipListener() {
                @Override
                public void released(String location) {
                    later(() -> retry(l -> l.heldBy != null
                            && l.targets.stream().anyMatch(t -> t.describe().equals(location))));
                }

                @Override
                public void sessionLost(Session session) {
                    // Every write is fenced already (the WAL is kept); nothing to do until the session is back.
                }

                @Override
                public void sessionRestored(Session session) {
                    later(() -> retry(l -> l.heldBy != null || l.sessionId != session.id()));
                }
            });
        }
    }

    /** Runs a claim on a worker (never on the coordinator's thread); nothing once the scheduler has stopped. */
    private void later(java.util.function.Supplier<Void> claim) {
        try {
            scheduler.execute(claim);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: the session ends next, and with it every claim
        }
    }

    /**
     * Adds and starts a database of the start-up plan (locked by the process's {@link StateLock}); what its metrics
     * read.
     */
    synchronized ReplicationMetrics.Listed add(DbConfig db) throws IOException {
        Listed l = resolve(db, null);
        dbs.put(db.path(), l);
        lockedByProcess.add(db.path());
        if (claimed(l)) {
            start(l);
        }
        Map<String, DbReplicator> byName = new LinkedHashMap<>();
        for (int i = 0; i < l.replicators.size(); i++) {
            byName.put(db.replicas().get(i).name(), l.replicators.get(i));
        }
        return new ReplicationMetrics.Listed(db.path(), byName, l.stats);
    }

    /**
     * Registers {@code db} at runtime replicating to {@code replicaUrl} every second; false when it is listed already.
     * In a {@code dbs:} process it takes the database's lock in the state directory, so a database another process
     * replicates is refused naming that process.
     */
    synchronized boolean register(Path db, String replicaUrl) throws IOException {
        if (dbs.containsKey(db)) {
            return false;
        }
        DbConfig config = Litefleet.Builder.databaseConfig(db, replicaUrl, EngineSettings.DEFAULTS.syncInterval(),
                "control socket");
        StateLock lock = fleetMode || lockedByProcess.contains(db) ? null
                : StateLock.acquire(stateDir, List.of(db), false);
        try {
            Listed l = resolve(config, lock);
            dbs.put(db, l);
            if (claimed(l)) {
                start(l);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    /** The replica targets of {@code db}, claimed: one that overlaps another database's replica is refused. */
    private Listed resolve(DbConfig db, StateLock lock) throws IOException {
        List<ReplicaTarget> targets = new ArrayList<>();
        try {
            for (ReplicaConfig rc : db.replicas()) {
                targets.add(Replication.target(clients, claimed, db, rc));
            }
        } catch (IOException | RuntimeException e) {
            targets.forEach(claimed::release);
            throw e;
        }
        Listed l = new Listed(db, List.copyOf(targets), lock);
        if (coordinator instanceof SingleNodeCoordinator) {
            build(l, l.targets);
        }
        return l;
    }

    /** One replicator and maintenance per destination, writing to {@code fenced}. */
    private void build(Listed l, List<ReplicaTarget> fenced) {
        l.replicators.clear();
        l.maintenance.clear();
        for (int i = 0; i < fenced.size(); i++) {
            Maintenance m = Maintenance.create(fenced.get(i), compaction);
            DbReplicator r = DbReplicator.create(l.config.path(), fenced.get(i), catalog,
                    l.config.replicas().get(i).engine(l.config.engine()), clock, m).snapshottingFirstCapture();
            r.countInto(l.stats);
            l.replicators.add(r);
            l.maintenance.add(m);
        }
    }

    /**
     * Cluster mode: claims the database's locations and builds its replicators fenced by the claim; false (logged
     * once per reason) when another instance holds them or the service cannot answer now: tried again when they are
     * released or the session is back. Single-node mode: true at no cost.
     */
    private boolean claimed(Listed l) {
        if (coordinator instanceof SingleNodeCoordinator) {
            return true;
        }
        try {
            List<ReplicaTarget> fenced = claim(coordinator, l.config.path(), l.targets);
            build(l, fenced);
            l.sessionId = fenced.get(0).fence().sessionId();
            if (l.heldBy != null) {
                LOG.log(System.Logger.Level.INFO, l.config.path() + ": claimed; replicating it here now");
            }
            l.heldBy = null;
            return true;
        } catch (IOException e) {
            if (!e.getMessage().equals(l.heldBy)) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage() + ": not replicated here (" + l.config.origin()
                        + "; tried again when it is released or the cluster session is back)");
            }
            l.heldBy = e.getMessage();
            return false;
        }
    }

    /** On a worker: claims again the databases {@code which} selects, replacing fences of an ended session. */
    private synchronized Void retry(java.util.function.Predicate<Listed> which) {
        for (Listed l : dbs.values()) {
            if (!which.test(l)) {
                continue;
            }
            boolean wasRunning = !l.running.isEmpty();
            if (wasRunning) {
                finalSyncs(l.running); // fenced: their WAL stays; the new replicators continue from the catalog
                l.running = List.of();
            }
            if (claimed(l)) {
                start(l);
            }
        }
        return null;
    }

    /**
     * {@code targets} of {@code db} fenced by this instance's claim of their locations (as they are without a
     * cluster).
     *
     * @throws IOException naming the database, the location and the holder when another instance holds one (what
     *                     this instance got of the others is released again), or why the service cannot answer
     */
    static List<ReplicaTarget> claim(Coordinator coordinator, Path db, List<ReplicaTarget> targets)
            throws IOException {
        if (coordinator instanceof SingleNodeCoordinator) {
            return targets;
        }
        List<Ownable> own = targets.stream().map(t -> new Ownable(t.describe(), db.toString())).toList();
        List<Claim> claims;
        try {
            claims = coordinator.claim(own);
        } catch (CoordinationException e) {
            throw new IOException(db + ": cannot claim its replica in the cluster now: " + e.getMessage(), e);
        }
        Optional<Claim.HeldBy> held = claims.stream().filter(Claim.HeldBy.class::isInstance)
                .map(Claim.HeldBy.class::cast).findFirst();
        if (held.isPresent()) {
            for (int i = 0; i < claims.size(); i++) {
                if (claims.get(i) instanceof Claim.Owned o) {
                    coordinator.release(own.get(i), o.token());
                }
            }
            throw new IOException(db + ": replica " + held.get().location() + " is held by instance "
                    + held.get().instance() + " (fencing token " + held.get().token() + ")");
        }
        List<ReplicaTarget> out = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            out.add(targets.get(i).withFence(Fence.of((Claim.Owned) claims.get(i), coordinator.instanceId())));
        }
        return List.copyOf(out);
    }

    /** Schedules every destination's replicator. */
    private void start(Listed l) {
        for (int i = 0; i < l.replicators.size(); i++) {
            DbReplicator r = l.replicators.get(i);
            EngineSettings engine = l.config.replicas().get(i).engine(l.config.engine());
            scheduler.add(r, engine.syncInterval(), l.maintenance.get(i), new SyncScheduler.Listener() {
                @Override
                public void synced(DbReplicator db, SyncResult result) {
                    l.lastSync = clock.instant();
                }
            });
        }
        l.running = List.copyOf(l.replicators);
    }

    /** Starts a stopped database; empty when it is not listed, false when it was running. */
    synchronized Optional<Boolean> start(Path db) {
        Listed l = dbs.get(db);
        if (l == null) {
            return Optional.empty();
        }
        if (!l.running.isEmpty()) {
            return Optional.of(false);
        }
        if (l.replicators.isEmpty() && !claimed(l)) {
            return Optional.of(false); // held by another instance: said in the log
        }
        start(l);
        return Optional.of(true);
    }

    /**
     * Stops a running database: its replicators leave the schedule after their final syncs. Empty when it is not
     * listed; the future completes with false when it was stopped already.
     */
    synchronized Optional<CompletableFuture<Boolean>> stop(Path db) {
        Listed l = dbs.get(db);
        if (l == null) {
            return Optional.empty();
        }
        if (l.running.isEmpty()) {
            return Optional.of(CompletableFuture.completedFuture(false));
        }
        CompletableFuture<Boolean> done = finalSyncs(l.running);
        l.running = List.of();
        return Optional.of(done.thenApply(ok -> true));
    }

    /** Unregisters: stops it (final syncs), then releases its claims and lock. Empty when it is not listed. */
    synchronized Optional<CompletableFuture<Boolean>> unregister(Path db) {
        Listed l = dbs.remove(db);
        if (l == null) {
            return Optional.empty();
        }
        CompletableFuture<Boolean> done = finalSyncs(l.running);
        l.running = List.of();
        boolean startedHere = lockedByProcess.remove(db);
        return Optional.of(done.whenComplete((ok, err) -> {
            l.targets.forEach(claimed::release);
            releaseClaims(l);
            if (startedHere) {
                processLock.release(db); // after its final sync: another process may take it over now
            }
            if (l.lock != null) {
                try {
                    l.lock.close();
                } catch (IOException e) {
                    System.getLogger(ListedDatabases.class.getName()).log(System.Logger.Level.WARNING,
                            db + ": releasing its state-directory lock: " + e.getMessage());
                }
            }
        }));
    }

    /** Cluster mode: gives up the database's locations (after its final syncs), so another instance may take it. */
    private void releaseClaims(Listed l) {
        for (DbReplicator r : l.replicators) {
            Fence fence = r.target().fence();
            if (fence.token() != 0) {
                try {
                    coordinator.release(new Ownable(r.target().describe(), l.config.path().toString()),
                            fence.token());
                } catch (CoordinationException e) {
                    LOG.log(System.Logger.Level.WARNING, l.config.path() + ": cannot release " + r.target().describe()
                            + " (another instance takes it when this session ends): " + e.getMessage());
                }
            }
        }
    }

    /** Every destination's final sync; true when all succeeded. */
    private CompletableFuture<Boolean> finalSyncs(List<DbReplicator> reps) {
        List<CompletableFuture<Boolean>> all = reps.stream().map(scheduler::remove).toList();
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                .thenApply(v -> all.stream().allMatch(CompletableFuture::join));
    }

    /**
     * Syncs every destination of {@code db} now ({@link SyncScheduler#syncNow}); the lowest TXID they hold after.
     * Empty when not listed; fails when it is stopped.
     */
    synchronized Optional<CompletableFuture<SyncResult>> syncNow(Path db) {
        Listed l = dbs.get(db);
        if (l == null) {
            return Optional.empty();
        }
        if (l.running.isEmpty()) {
            return Optional.of(CompletableFuture.failedFuture(new IllegalStateException("database not open: " + db)));
        }
        List<CompletableFuture<SyncResult>> all = l.running.stream().map(scheduler::syncNow).toList();
        return Optional.of(CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> all.stream()
                .map(CompletableFuture::join).reduce(SyncResult::lowest).orElseThrow()));
    }

    /** The maintenance of each destination of {@code db} (snapshots, compaction); empty when not listed. */
    synchronized Optional<List<Maintenance>> maintenance(Path db) {
        Listed l = dbs.get(db);
        return l == null ? Optional.empty() : Optional.of(List.copyOf(l.maintenance));
    }

    /** Whether {@code db} is listed. */
    synchronized boolean contains(Path db) {
        return dbs.containsKey(db);
    }

    /** Whether {@code db} is listed and running. */
    synchronized boolean isRunning(Path db) {
        Listed l = dbs.get(db);
        return l != null && !l.running.isEmpty();
    }

    /** The lowest TXID the replicas of {@code db} hold (catalog records; no storage request). */
    long txid(Path db) throws IOException {
        List<ReplicaTarget> targets;
        synchronized (this) {
            Listed l = dbs.get(db);
            if (l == null) {
                return 0;
            }
            targets = l.targets;
        }
        long min = Long.MAX_VALUE;
        for (ReplicaTarget t : targets) {
            min = Math.min(min, catalog.get(db.toString(), t.describe()).map(p -> p.txid()).orElse(0L));
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /**
     * One listed database now.
     *
     * @param path     the database
     * @param running  whether it replicates (false: stopped)
     * @param lastSync its last successful sync this run
     * @param urls     its destinations, as {@code litefleet restore} takes them
     */
    record State(Path path, boolean running, Optional<Instant> lastSync, List<String> urls) {
    }

    /**
     * Cluster mode: the token of {@code db}'s claim in the current session; 0 when not owned (or not listed), and
     * while the session is not valid (as the fleet voids its tokens then).
     */
    synchronized long token(Path db) {
        Listed l = dbs.get(db);
        Session session = coordinator.session();
        if (l == null || l.heldBy != null || l.sessionId != session.id() || !session.valid()) {
            return 0;
        }
        return l.replicators.stream().mapToLong(r -> r.target().fence().token()).filter(t -> t != 0).findFirst()
                .orElse(0);
    }

    /**
     * Cluster mode: listed databases replicated under a claim of the current session, 0 while it is not valid (0
     * without a cluster).
     */
    synchronized int owned() {
        int n = 0;
        for (Path db : dbs.keySet()) {
            if (token(db) != 0) {
                n++;
            }
        }
        return n;
    }

    /** Every listed database, in the order added. */
    synchronized List<State> states() {
        List<State> out = new ArrayList<>(dbs.size());
        for (Listed l : dbs.values()) {
            out.add(new State(l.config.path(), !l.running.isEmpty(), Optional.ofNullable(l.lastSync),
                    l.targets.stream().map(ReplicaTarget::url).toList()));
        }
        return out;
    }

    /** How many are listed. */
    synchronized int size() {
        return dbs.size();
    }

    /** Releases the locks of databases registered at runtime (the scheduler's close ran their final syncs). */
    synchronized void close() throws IOException {
        for (Listed l : dbs.values()) {
            if (l.lock != null) {
                l.lock.close();
            }
        }
    }
}
