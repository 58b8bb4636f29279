package io.litefleet.core.fleet;

import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import io.litefleet.core.engine.SyncResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tracks every database of a fleet cheaply and streams only the active ones (the design's MultiDBManager).
 *
 * <p>Every database is a row of a {@link DbTable} in one {@link RowState}, changed only through {@link Lifecycle}.
 * Four units do the work and report to that lifecycle: {@link Intake} (discovery scans and watch events),
 * {@link HotSet} (promotion, eviction, demotion), {@link Passes} (transient open-sync-close passes for changed
 * databases that are not hot) and {@link Settler} (settling cold replicas). This class keeps the loop and the
 * status. A cold database has no thread, descriptor, timer or replica request.
 *
 * <p>Everything that touches the table runs on one thread: the fleet's own ({@code litefleet-fleet-0}, from
 * {@link #start}), or the caller's ({@link #manual}, driven by {@link #runUntilIdle()} at the injected clock's time,
 * for tests and embedders). Workers of the process's {@link SyncScheduler} report back through the inbox.
 */
public final class FleetManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FleetManager.class.getName());
    private static final Duration TICK = Duration.ofMillis(200);
    /**
     * Steps (idle demotions over the hot set, passes, settles, the status) run at most this often: a busy inbox (a
     * thousand hot databases report a sync each second) otherwise ran a step after every message.
     */
    private static final long STEP_GAP_NANOS = Duration.ofMillis(50).toNanos();

    private final Fleet f;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Settler settler;
    private final Passes passes;
    private final HotSet hot;
    private final Intake intake;
    private final boolean ownsScheduler;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile FleetStatus status;
    private volatile Unreplicated unreplicated = new Unreplicated(0, 0, 0, 0);
    private volatile int owned;
    private boolean watching;

    private FleetManager(Discovery discovery, List<String> patterns, TieringPolicy policy, TargetResolver resolver,
                         Catalog catalog, FleetOptions options, Clock clock, SyncScheduler scheduler,
                         boolean ownsScheduler, boolean threaded, Coordinator coordinator) throws IOException {
        this.f = new Fleet(new DbTable(), clock, discovery, patterns, resolver, catalog, options, scheduler,
                inbox::add, coordinator);
        this.ownsScheduler = ownsScheduler;
        this.settler = new Settler(f, this::release);
        this.passes = new Passes(f, settler, this::release);
        this.hot = new HotSet(f, policy, passes, settler, this::release);
        Map<String, List<ReplicaPosition>> baseline = new HashMap<>();
        for (ReplicaPosition p : catalog.all()) {
            baseline.computeIfAbsent(p.dbPath(), k -> new java.util.ArrayList<>(1)).add(p);
        }
        this.intake = new Intake(f, hot, passes, settler, baseline, new HashSet<>(catalog.unsettled()));
        f.ownership.start(new Ownership.Resume() {
            @Override
            public void owned(int id, int wants) {
                if ((wants & Ownership.PROMOTE) != 0) {
                    hot.promote(id);
                } else if ((wants & Ownership.PASS) != 0) {
                    passes.claimed(id);
                }
                if ((wants & Ownership.SETTLE) != 0) {
                    settler.claimed(id);
                }
                refill();
            }

            @Override
            public void foreign(int id, String holder) {
                passes.foreign(id, holder);
            }

            @Override
            public void fencesVoid() {
                hot.fencesVoid();
            }
        });
        this.thread = threaded ? new Thread(this::loop, "litefleet-fleet-0") : null;
    }

    /**
     * Starts the fleet on its own thread and its own sync pool of {@link FleetOptions#syncWorkers()} threads: loads
     * the catalog's baseline, starts watching (when the discovery can) and begins the first scan.
     *
     * @param patterns the discovery's patterns, in the order its {@code pattern()} values refer to
     */
    public static FleetManager start(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                     TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock)
            throws IOException {
        return start(discovery, patterns, policy, resolver, catalog, options, clock,
                SyncScheduler.start(options.syncWorkers(), clock), true, null);
    }

    /**
     * Starts the fleet on its own thread, syncing on the process's shared {@code scheduler} (which the caller owns
     * and closes after the fleet).
     */
    public static FleetManager start(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                     TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock,
                                     SyncScheduler scheduler) throws IOException {
        return start(discovery, patterns, policy, resolver, catalog, options, clock, scheduler, false, null);
    }

    /**
     * As {@link #start(Discovery, List, TieringPolicy, TargetResolver, Catalog, FleetOptions, Clock, SyncScheduler)},
     * in a cluster: each database is claimed through {@code coordinator} (which the caller owns and closes after the
     * fleet) before its first upload, and one another instance holds is not replicated here.
     */
    public static FleetManager start(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                     TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock,
                                     SyncScheduler scheduler, Coordinator coordinator) throws IOException {
        return start(discovery, patterns, policy, resolver, catalog, options, clock, scheduler, false, coordinator);
    }

    private static FleetManager start(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                      TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock,
                                      SyncScheduler scheduler, boolean owns, Coordinator coordinator)
            throws IOException {
        FleetManager m = new FleetManager(discovery, patterns, policy, resolver, catalog, options, clock, scheduler,
                owns, true, coordinator);
        m.watch();
        m.publishStatus();
        m.thread.setDaemon(true);
        m.thread.start();
        return m;
    }

    /**
     * A fleet without a thread of its own: nothing happens until {@link #runUntilIdle()}, which does what is due at
     * {@code clock}'s time on the caller's thread, with {@code scheduler} (a {@link SyncScheduler#manual} one)
     * running the syncs. Watch events still arrive (on the discovery's thread) and wait for the next run.
     */
    public static FleetManager manual(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                      TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock,
                                      SyncScheduler scheduler) throws IOException {
        return manual(discovery, patterns, policy, resolver, catalog, options, clock, scheduler, null);
    }

    /** As {@link #manual}, in a cluster through {@code coordinator} (see {@link #start}). */
    public static FleetManager manual(Discovery discovery, List<String> patterns, TieringPolicy policy,
                                      TargetResolver resolver, Catalog catalog, FleetOptions options, Clock clock,
                                      SyncScheduler scheduler, Coordinator coordinator) throws IOException {
        FleetManager m = new FleetManager(discovery, patterns, policy, resolver, catalog, options, clock, scheduler,
                false, false, coordinator);
        m.watch();
        m.publishStatus();
        return m;
    }

    private void watch() throws IOException {
        watching = f.discovery.watch(new DiscoveryListener() {
            @Override
            public void changed(Path path) {
                inbox.add(() -> intake.onPath(path));
            }

            @Override
            public void overflowed(String reason) {
                LOG.log(System.Logger.Level.WARNING, "discovery watch lost events (" + reason + "); rescanning, "
                        + "then every scan-interval until watching is quiet for one");
                inbox.add(() -> intake.lost(reason));
            }

            @Override
            public void incomplete(String reason) {
                LOG.log(System.Logger.Level.WARNING, "discovery watch is incomplete (" + reason + "); rescanning, "
                        + "then every scan-interval");
                inbox.add(() -> intake.incomplete(reason));
            }
        });
        intake.watching(watching);
    }

    /** Every fleet database's syncs and checkpoints, added up, live. Thread-safe. */
    public io.litefleet.core.engine.DbStats stats() {
        return f.stats;
    }

    /** How long the completed full discovery scans took, live. Thread-safe. */
    public io.litefleet.core.engine.DurationHistogram.Snapshot scanDurations() {
        return intake.scanDurations();
    }

    /** The databases not replicated, by why, as of the last fleet step. Thread-safe. */
    public Unreplicated unreplicated() {
        return unreplicated;
    }

    /**
     * Fleet databases that are not replicated, by why.
     *
     * @param excluded their replica path is unusable or shared with another database
     * @param refused  the engine refused them (not in WAL mode, unreadable); tried again at their next change
     * @param failed   replicating them hit a bug; tried again at their next change
     * @param foreign  cluster mode: another instance replicates them; claimed when it lets go
     */
    public record Unreplicated(int excluded, int refused, int failed, int foreign) {
    }

    /**
     * Cluster mode: rows this instance holds a claim on (a fencing token) as of the last fleet step; 0 without a
     * cluster. Thread-safe.
     */
    public int owned() {
        return owned;
    }

    /** Cluster mode: gone databases whose release failed and is to be sent again (tests of manual fleets). */
    int unreleased() {
        return f.ownership.unreleased();
    }

    /** The counters as of the last fleet step. Thread-safe. */
    public FleetStatus status() {
        return status;
    }

    /**
     * The promotion hint: makes {@code db} hot now, as a change would that the tiering policy promotes (the cap and
     * eviction still hold). A database created since the last scan is discovered first; unknown or excluded ones are
     * ignored. Thread-safe: handled at the next step.
     */
    public void promote(Path db) {
        inbox.add(() -> {
            int id = f.table.find(db);
            if (id < 0 && manages(db)) {
                intake.onPath(db); // created since the last scan
                id = f.table.find(db);
            }
            if (id >= 0) {
                hot.promote(id);
            }
        });
    }

    /**
     * The hot set, the databases in error and discovery's progress, taken at the fleet's next step (on a manual
     * fleet, at the next {@link #runUntilIdle()}). Thread-safe; no storage request.
     */
    public CompletableFuture<FleetLive> live() {
        CompletableFuture<FleetLive> out = new CompletableFuture<>();
        inbox.add(() -> out.complete(new FleetLive(hot.live(), errors(), intake.lastScanAt(), intake.scanEvery(),
                intake.watchHealth(), intake.watchReason(), f.epoch)));
        return out;
    }

    private List<FleetLive.ErrorDb> errors() {
        List<FleetLive.ErrorDb> out = new java.util.ArrayList<>();
        f.errors.entrySet().removeIf(e -> {
            RowState s = f.lifecycle.state(e.getKey());
            if (s != RowState.REFUSED && s != RowState.FAILED) {
                return true; // replicated again since
            }
            out.add(new FleetLive.ErrorDb(f.table.path(e.getKey()), s.persisted(), e.getValue()));
            return false;
        });
        return out;
    }

    /**
     * Cluster mode: the fencing token this instance holds for each of {@code dbs} (0: not owned now, or unknown to
     * the fleet), in the same order, taken at the fleet's next step. Thread-safe; no request.
     */
    public CompletableFuture<long[]> tokens(List<Path> dbs) {
        List<Path> copy = List.copyOf(dbs);
        CompletableFuture<long[]> out = new CompletableFuture<>();
        inbox.add(() -> out.complete(copy.stream().mapToLong(p -> {
            int id = f.table.find(p);
            return id < 0 ? 0 : f.table.token(id);
        }).toArray()));
        return out;
    }

    /**
     * Whether {@code db} is the fleet's: it matches the patterns (it need not be discovered yet). Thread-safe; stats
     * the file at most.
     */
    public boolean manages(Path db) {
        try {
            return f.discovery.probe(db, false) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Ships what {@code db} has committed now, for the control socket's {@code sync}: a hot database through its
     * replicators, any other by a transient pass (no hot slot taken, nobody evicted). The future completes once every
     * destination holds what was committed at this call, or fails with the reason (excluded, deleted, the sync's
     * error). Empty when the fleet does not manage {@code db}. Thread-safe: handled on the fleet thread.
     */
    public java.util.Optional<CompletableFuture<SyncResult>> syncNow(Path db) {
        if (!manages(db)) {
            return java.util.Optional.empty();
        }
        CompletableFuture<SyncResult> result = new CompletableFuture<>();
        inbox.add(() -> {
            try {
                startSyncNow(db, result);
            } catch (RuntimeException e) {
                result.completeExceptionally(e); // answered now, not after the caller's whole timeout
                throw e;
            }
        });
        return java.util.Optional.of(result);
    }

    /**
     * Ships what {@code db} has committed ({@link #syncNow}), then writes a snapshot of that state to each of its
     * replicas: a hot database through its replicators' own maintenance, a cold one in a settle pass. The future
     * completes with the snapshot files written, or fails saying why (busy, deleted, the upload's error). Empty when
     * the fleet does not manage {@code db}. Thread-safe: handled on the fleet thread.
     */
    public java.util.Optional<CompletableFuture<Integer>> snapshotNow(Path db) {
        java.util.Optional<CompletableFuture<SyncResult>> synced = syncNow(db);
        if (synced.isEmpty()) {
            return java.util.Optional.empty();
        }
        CompletableFuture<Integer> result = new CompletableFuture<>();
        synced.get().whenComplete((r, err) -> {
            if (err != null) {
                result.completeExceptionally(err);
            } else {
                inbox.add(() -> startSnapshot(db, result));
            }
        });
        return java.util.Optional.of(result);
    }

    /** On the fleet thread: a hot row's maintenance snapshots on a worker; a cold row's in a settle pass. */
    private void startSnapshot(Path db, CompletableFuture<Integer> result) {
        int id = f.table.find(db);
        java.util.Optional<List<io.litefleet.core.compact.Maintenance>> ms = id < 0 ? java.util.Optional.empty()
                : hot.maintenance(id);
        if (ms.isPresent()) {
            f.scheduler.execute(() -> {
                try {
                    return io.litefleet.core.compact.Maintenance.snapshotNow(ms.get(), f.clock);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).whenComplete((n, err) -> complete(result, n, err));
        } else if (id >= 0) {
            settler.snapshotNow(id, result);
        } else {
            result.completeExceptionally(new IOException(db + ": the fleet does not know it"));
        }
    }

    /** On the fleet thread: syncs {@code db} through its hot replicators or a transient pass. */
    private void startSyncNow(Path db, CompletableFuture<SyncResult> result) {
        int id = f.table.find(db);
        if (id < 0) {
            intake.onPath(db); // created since the last scan: discover it now
            id = f.table.find(db);
        }
        if (id < 0) {
            result.completeExceptionally(new IOException(db + ": the fleet does not know it (not a SQLite "
                    + "database in WAL mode yet?)"));
            return;
        }
        RowState s = f.lifecycle.state(id);
        switch (s) {
            case HOT -> hot.syncNow(id).orElseThrow().whenComplete((r, err) -> complete(result, r, err));
            case EXCLUDED -> result.completeExceptionally(new IOException(db + ": excluded from the fleet"));
            case DELETED -> result.completeExceptionally(new IOException(db + ": the database file is gone"));
            case FOREIGN -> result.completeExceptionally(new IOException(db + ": replicated by another instance of "
                    + "the cluster, not here"));
            default -> {
                if (s == RowState.REFUSED || s == RowState.FAILED) {
                    f.lifecycle.move(id, RowState.COLD); // tried again now, as its next change would
                }
                passes.syncNow(id).whenComplete((r, err) -> complete(result, r, err));
            }
        }
    }

    private static <T> void complete(CompletableFuture<T> f, T r, Throwable err) {
        if (err == null) {
            f.complete(r);
        } else {
            f.completeExceptionally(err instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                    ? ce.getCause() : err);
        }
    }

    private void loop() {
        long lastStep = System.nanoTime() - STEP_GAP_NANOS;
        try {
            while (running.get()) {
                Runnable r = inbox.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
                if (r != null) {
                    runSafely(r);
                }
                drainInbox();
                long now = System.nanoTime();
                if (now - lastStep >= STEP_GAP_NANOS) {
                    lastStep = now;
                    runSafely(this::step);
                    publishStatus();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    /** Runs one unit of fleet work; a bug in it is logged with its stack and the loop goes on. */
    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "fleet step failed (continuing)", e);
        }
    }

    /** Handles what the inbox holds (workers' outcomes, watch events) without a step; package-private for tests. */
    boolean drainInbox() {
        boolean any = false;
        for (Runnable more; (more = inbox.poll()) != null; ) {
            runSafely(more);
            any = true;
        }
        return any;
    }

    /** Does what is due at the clock's time; package-private for tests of manual fleets. */
    void step() {
        flushCatalog();
        intake.scanIfDue(f.clock.instant());
        hot.demoteIdle();
        passes.drain();
        settler.queueDue(f.clock.instant());
        settler.drain();
        f.ownership.drain();
    }

    /**
     * Manual fleets: does everything due at the clock's time, and everything that follows from it (syncs, passes,
     * their outcomes), on this thread, until nothing is left to do.
     *
     * @throws IllegalStateException on a fleet with its own thread, or when the work does not settle
     */
    public void runUntilIdle() {
        if (thread != null) {
            throw new IllegalStateException("runUntilIdle() is for manual fleets");
        }
        for (int round = 0; round < 10_000; round++) {
            boolean inboxWork = drainInbox();
            runSafely(this::step);
            int ran = f.scheduler.runPending();
            boolean more = drainInbox();
            flushCatalog();
            publishStatus();
            if (!inboxWork && ran == 0 && !more && inbox.isEmpty()) {
                return;
            }
        }
        throw new IllegalStateException("the fleet did not settle in 10,000 rounds: " + status);
    }

    /** Rows the transient passes' drain has taken from its backlog so far (tests: the work stays bounded). */
    long passRowsExamined() {
        return passes.examined();
    }

    /** The release of a row by a worker: a promotion or a pass a change asked for meanwhile goes ahead now. */
    private void release(int id) {
        f.lifecycle.release(id);
        if (f.lifecycle.state(id) == RowState.DELETED || f.lifecycle.state(id) == RowState.EXCLUDED) {
            f.ownership.releaseIfOwned(id); // its final sync ran: another instance may take it at once
        }
        passes.released(id);
        if (f.lifecycle.wantsPromotion(id)) {
            f.lifecycle.wantPromotion(id, false);
            f.lifecycle.wantPass(id, false);
            hot.promote(id);
        } else if (f.lifecycle.wantsPass(id)) {
            f.lifecycle.wantPass(id, false);
            passes.enqueue(id);
        }
        refill();
    }

    /**
     * Starts queued transient and settle passes in the slots free now. Called on every release (a pass ends with
     * one), so a freed slot is refilled at once rather than at the next step: a first capture of a large fleet ran
     * at {@code maxTransient} passes per {@link #TICK} before.
     */
    private void refill() {
        passes.drain();
        settler.drain();
        f.ownership.drain();
    }

    private void flushCatalog() {
        settler.flush();
        List<Catalog.TierChange> changes = f.lifecycle.drainChanges();
        if (changes.isEmpty()) {
            return;
        }
        try {
            f.catalog.putTiers(changes);
        } catch (IOException e) {
            f.lifecycle.requeue(changes);
            LOG.log(System.Logger.Level.WARNING, "cannot record tiers (retrying): " + e.getMessage());
        }
    }

    private void publishStatus() {
        Lifecycle l = f.lifecycle;
        int cold = l.count(RowState.COLD) + l.count(RowState.QUEUED) + l.count(RowState.PASS)
                + l.count(RowState.SETTLING) + l.count(RowState.CLOSING);
        status = new FleetStatus(f.table.size(), hot.size(), cold, l.count(RowState.DELETED),
                l.count(RowState.EXCLUDED) + l.count(RowState.REFUSED) + l.count(RowState.FAILED),
                l.promotions(), l.demotions(), hot.evictions(), passes.started(), passes.backlog(), intake.scans(),
                intake.lastScanMs(), intake.watchHealth(), intake.scanEvery(), settler.settles(),
                settler.pending(), f.running(), f.captures.get(), intake.unmatched());
        unreplicated = new Unreplicated(l.count(RowState.EXCLUDED), l.count(RowState.REFUSED),
                l.count(RowState.FAILED), l.count(RowState.FOREIGN));
        owned = f.ownership.fenced() ? 0 : f.table.owned(); // while fenced nothing is replicated under a claim
    }

    /** Waits until the fleet thread has handled everything queued before this call (tests). */
    void barrier() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        inbox.add(done::countDown);
        if (thread == null) {
            runUntilIdle();
        }
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fleet thread did not answer within 30 s");
        }
    }

    /** Claim requests sent to the cluster's coordinator (tests: none without a cluster, none for owned rows). */
    long claimRequests() {
        return f.ownership.claims();
    }

    /** The scheduler, for tests that hold its workers. */
    SyncScheduler scheduler() {
        return f.scheduler;
    }

    /** The table, for measurement (heap per cold database). */
    DbTable table() {
        return f.table;
    }

    /**
     * Stops the fleet thread, then the watch, then every hot database's final sync (closing the scheduler when the
     * fleet made its own). Idempotent.
     */
    @Override
    public void close() {
        if (!running.getAndSet(false)) {
            return;
        }
        if (thread != null) {
            try {
                if (!stopped.await(30, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "fleet thread still busy after 30 s; stopping anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        f.discovery.close();
        if (ownsScheduler) {
            f.scheduler.close(); // final syncs of every hot database
        } else {
            hot.finalSyncs(); // on the shared pool, which goes on for the others
        }
        hot.closeAll();
        flushCatalog();
        publishStatus();
    }
}
