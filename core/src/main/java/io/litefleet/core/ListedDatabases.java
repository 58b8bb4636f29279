package io.litefleet.core;

import io.litefleet.core.compact.CompactionSettings;
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
    private final ReplicaClients clients;
    private final ReplicaOverlaps claimed;
    private final Catalog catalog;
    private final SyncScheduler scheduler;
    private final CompactionSettings compaction;
    private final Clock clock;
    private final Path stateDir;
    private final boolean fleetMode;
    private final StateLock processLock;
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
                    StateLock processLock) {
        this.processLock = processLock;
        this.clients = clients;
        this.claimed = claimed;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.compaction = compaction;
        this.clock = clock;
        this.stateDir = stateDir;
        this.fleetMode = fleetMode;
    }

    /**
     * Adds and starts a database of the start-up plan (locked by the process's {@link StateLock}); what its metrics
     * read.
     */
    synchronized ReplicationMetrics.Listed add(DbConfig db) throws IOException {
        Listed l = resolve(db, null);
        dbs.put(db.path(), l);
        lockedByProcess.add(db.path());
        start(l);
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
            start(l);
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
        for (int i = 0; i < targets.size(); i++) {
            Maintenance m = Maintenance.create(targets.get(i), compaction);
            DbReplicator r = DbReplicator.create(db.path(), targets.get(i), catalog,
                    db.replicas().get(i).engine(db.engine()), clock, m).snapshottingFirstCapture();
            r.countInto(l.stats);
            l.replicators.add(r);
            l.maintenance.add(m);
        }
        return l;
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
